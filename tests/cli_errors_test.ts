/**
 * Bad input to the foundation's commands gets a clear message (and no stack trace).
 */
import assert from "node:assert/strict";
import { runTask } from "./harness.ts";

Deno.test("db:seed rejects a negative or non-numeric --rows with a clear message", async () => {
  const neg = await runTask("db:seed", ["--rows", "-3"]);
  assert.equal(neg.code, 1);
  assert.match(neg.output, /Invalid --rows -3: must be at least 1/);
  const abc = await runTask("db:seed", ["--rows", "abc"]);
  assert.equal(abc.code, 1);
  assert.match(abc.output, /Invalid --rows "abc": expected a whole number/);
  const unknown = await runTask("db:seed", ["--bogus"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.output, /Unknown option '--bogus'/);
});

Deno.test("stack:up names a taken port and the process holding it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const state = await Deno.makeTempDir({ prefix: "stack-port-test-" });
  try {
    const r = await runTask("stack:up", ["--only", "minio"], {
      PIPELINE_STATE_DIR: state,
      PIPELINE_PORT_MINIO: String(port),
    });
    assert.equal(r.code, 1, r.output);
    assert.match(
      r.output,
      new RegExp(`port ${port} \\(stack.ports.minio\\) is taken by pid ${Deno.pid}`),
    );
    assert.match(r.output, /set PIPELINE_PORT_MINIO to a free port/);
  } finally {
    listener.close();
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("an invalid config names the key and the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bad-config-" });
  const file = `${dir}/pipeline.yaml`;
  const good = await Deno.readTextFile(new URL("../pipeline.yaml", import.meta.url));
  await Deno.writeTextFile(file, good.replace("kafka: 9092", "kafka: ninety"));
  try {
    // An environment override would win over the broken value; this test needs the file's.
    const r = await runTask("stack:status", [], {
      PIPELINE_CONFIG: file,
      PIPELINE_STATE_DIR: dir,
      PIPELINE_PORT_KAFKA: "",
    });
    assert.equal(r.code, 1);
    assert.ok(
      r.output.includes(`Invalid config ${file}: stack.ports.kafka must be a port number`),
      r.output,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
