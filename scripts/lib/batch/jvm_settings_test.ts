import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../core/config.ts";
import { FULL_JIT_BYTES, lakeBytes, quickFor } from "./jvm_settings.ts";

Deno.test("quickFor keeps the small-data settings below the threshold only", () => {
  assert.equal(quickFor(0), true);
  assert.equal(quickFor(FULL_JIT_BYTES - 1), true);
  assert.equal(quickFor(FULL_JIT_BYTES), false);
});

Deno.test("lakeBytes sums the *.json objects under each topic of a local lake", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const write = async (path: string, bytes: number) => {
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      await Deno.writeFile(join(dir, path), new Uint8Array(bytes));
    };
    await write("t.pin/partition=0/t.pin+0+0000000000.json", 100);
    await write("t.pin/partition=1/t.pin+1+0000000000.json", 20);
    await write("t.pin/partition=0/_SUCCESS", 7); // a marker, not data
    await write("t.pin/partition=0/.t.pin+0+1.json.crc", 9); // hidden
    await write("t.geo/partition=0/t.geo+0+0000000000.json", 3);
    await write("other.user/partition=0/other.user+0+0.json", 1000); // not asked for
    const cfg = await loadConfig({ env: {} });
    // t.user is missing: nothing to read there, which the Spark job reports itself.
    assert.equal(await lakeBytes(cfg, `file://${dir}/`, ["t.pin", "t.geo", "t.user"]), 123);
    await assert.rejects(() => lakeBytes(cfg, "hdfs://x/topics", ["t.pin"]), /file:\/\/ or s3a/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
