/**
 * Reliability, round 2 (issue #19): the lake refuses writes for 20 s while the emulator sends.
 * MinIO stays up and answers every PutObject into the case's bucket with AccessDenied, as a
 * bucket policy denying PutObject would: its bucket directory and everything in it are made
 * immutable (`chattr +i`, which binds root too; MinIO's root user is above bucket policies).
 * The S3 sink's uploads fail, Connect rewinds and redelivers, and once the lake takes writes
 * again every acknowledged record must be in it exactly as often as it was sent.
 */
import assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { KINDS } from "../../scripts/lib/core/names.ts";
import { seedSource } from "../../scripts/lib/source/seed.ts";
import { DEFAULT_ROWS } from "../../scripts/lib/source/synthetic.ts";
import { s3Client } from "../../scripts/lib/lake/s3.ts";
import { sleep } from "../../scripts/lib/core/time.ts";
import { reportFault } from "../../scripts/lib/faults/report.ts";
import { startStack, type TestStack } from "../harness.ts";
import { type Case, countLake, emulateWith, FAULT_AT_MS, newCase } from "./cases.ts";

const REFUSED_MS = 20_000;

/** Sets or clears the immutable flag on a directory tree. */
async function immutable(dir: string, on: boolean): Promise<void> {
  const out = await new Deno.Command("chattr", { args: ["-R", on ? "+i" : "-i", dir] }).output();
  if (!out.success) {
    throw new Error(
      `Cannot make ${dir} ${on ? "immutable" : "writable again"}: chattr said ` +
        `${new TextDecoder().decode(out.stderr).trim()}; the case needs root and a file system ` +
        "with the immutable flag (ext4, xfs, btrfs)",
    );
  }
}

Deno.test({
  name:
    "faults: the lake refuses writes for 20 s mid-run; the sink retries, nothing lost or doubled",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let stack: TestStack | undefined;
    let c: Case | undefined;
    let refused: string | undefined;
    try {
      stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"]);
      await seedSource(stack.cfg, { rows: DEFAULT_ROWS, seed: 1 });
      c = await newCase("fault-refuse");
      const bucketDir = `${stack.ctx.data("minio")}/${c.cfg.names.bucket}`;
      const s3 = s3Client(c.cfg);
      let denied = "";
      const connectLog = stack.ctx.log("connect.log");
      const logFrom = (await Deno.stat(connectLog)).size;
      const run = await emulateWith(c, async () => {
        refused = bucketDir;
        await immutable(bucketDir, true);
        // MinIO answers a write of ours as it answers the sink's.
        denied = await s3.send(
          new PutObjectCommand({ Bucket: c!.cfg.names.bucket, Key: "refused-probe", Body: "x" }),
        ).then(() => "accepted", (e) => (e as Error).name);
        await sleep(REFUSED_MS);
        await immutable(bucketDir, false);
        refused = undefined;
        return `every PutObject into the bucket answered ${denied} for ${REFUSED_MS / 1000} s, ` +
          `${FAULT_AT_MS / 1000} s in (MinIO up, its bucket directory immutable)`;
      });
      s3.destroy();
      assert.equal(denied, "AccessDenied", "MinIO refused writes");
      // And the sink's uploads were refused too: the worker logged each 403 it retried.
      const log = new TextDecoder().decode((await Deno.readFile(connectLog)).subarray(logFrom));
      const refusals = log.match(/S3Exception: Access Denied\. \(Service: S3, Status Code: 403/g)
        ?.length ?? 0;
      assert.ok(refusals > 0, "the S3 sink never met a refused write");
      assert.equal(run.summary.failed, 0, "the lake is not on the produce path");
      const lake = await countLake(c, run);
      for (const k of KINDS) {
        assert.equal(lake.counts[k].lost, 0, `${k} records lost in the lake`);
        assert.equal(lake.counts[k].doubled, 0, `${k} records written twice in the lake`);
      }
      await reportFault(c.cfg, {
        case: "lake refuses writes 20 s",
        injected: run.injected,
        ...lake.counts.pin,
        measured: {
          "refused uploads logged by the sink": refusals,
          "lake caught up s after writes came back": lake.caughtUp.toFixed(1),
        },
      });
    } finally {
      // An immutable tree could not even be deleted: give it back whatever happened.
      if (refused) await immutable(refused, false);
      await c?.api.close();
      await stack?.release();
    }
  },
});
