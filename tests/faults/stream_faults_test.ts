/**
 * Reliability, round 2 (issue #19), the stream route: with the stream job running, the stack's
 * API gateway (run for the case's user id) is SIGKILLed under a stream emulation, then
 * kinesalite is; nobody restarts either by hand. Every acknowledged post must reach its Delta
 * table exactly once, counted by `unique_id` (pins) and `ind` (geo, user), and the stream job
 * must carry on by itself.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../scripts/lib/core/config.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { seedSource } from "../../scripts/lib/source/seed.ts";
import { DEFAULT_ROWS } from "../../scripts/lib/source/synthetic.ts";
import { setupStreams } from "../../scripts/lib/kinesis/streams.ts";
import { streamSender } from "../../scripts/lib/emulator/stream_sender.ts";
import { startStreamJob, type StreamJob } from "../../scripts/lib/stream/job.ts";
import { stackContext } from "../../scripts/lib/stack/context.ts";
import { reportFault, tally } from "../../scripts/lib/faults/report.ts";
import { waitFor } from "../../scripts/lib/core/time.ts";
import { startStack, type TestStack, testUserId } from "../harness.ts";
import {
  assertBackWithin,
  crashAndWait,
  emulateWith,
  expectedIds,
  FAULT_AT_MS,
  ID,
  type Run,
  serviceFor,
} from "./cases.ts";

/** Posts per case: 10 s at 100 posts/s, in PutRecords of 10. */
const POSTS = 1000;

Deno.test({
  name: "faults: the gateway and kinesalite SIGKILLed under the stream route; Delta exactly once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let stack: TestStack | undefined;
    let restoreApi: (() => Promise<void>) | undefined;
    let job: StreamJob | undefined;
    const base = await Deno.makeTempDir({ prefix: "stream-faults-" });
    try {
      stack = await startStack(["mariadb", "kafka", "rest_proxy", "kinesis"]);
      const { ctx } = stack;
      const cfg = await loadConfig({ overrides: { PIPELINE_USER_ID: testUserId("fault-stream") } });
      await seedSource(cfg, { rows: DEFAULT_ROWS, seed: 1 });
      await setupStreams(cfg);
      restoreApi = await serviceFor(ctx, cfg, "api");
      job = await startStreamJob(await stackContext(cfg), { base });
      await job.ready;
      const ended = job.ended.then((e) => e);

      const runs: { name: string; run: Run; back: number }[] = [];
      const emulateStream = (name: string, what: string, service: string, seed: number) =>
        t.step(`${what}: SIGKILLed under the stream emulation; nobody restarts it`, async () => {
          let back = Infinity;
          const run = await emulateWith({ cfg }, async () => {
            back = (await crashAndWait(ctx, service)).s;
            return `SIGKILL ${what} ${FAULT_AT_MS / 1000} s into a stream emulation; nobody ` +
              "restarts it; the stream job runs on";
          }, {
            sender: streamSender(cfg, { apiUrl: cfg.apiUrl, putRecords: true }),
            count: POSTS,
            rate: 100,
            seed,
          });
          assert.equal(run.summary.failed, 0, "no post failed");
          assert.equal(run.summary.acknowledged, POSTS, "every post acknowledged");
          assertBackWithin(back);
          runs.push({ name, run, back });
        });
      await emulateStream("API gateway", "the API gateway", "api", 21);
      await emulateStream("kinesalite", "kinesalite", "kinesis", 22);

      await t.step("every acknowledged post is in its Delta table exactly once", async () => {
        const keys = new Set(runs.flatMap((r) => r.run.summary.keys));
        const started = performance.now();
        const tables = await waitFor(async () => {
          const s = await job!.snapshot();
          return KINDS.every((k) => s[k].count >= keys.size) ? s : undefined;
        }, {
          timeoutMs: 180_000,
          intervalMs: 1000,
          timeoutError: async () =>
            new Error(
              `The Delta tables never held the ${keys.size} posts: ${
                JSON.stringify(Object.fromEntries(
                  Object.entries(await job!.snapshot()).map(([k, v]) => [k, v.count]),
                ))
              }`,
            ),
        });
        const caughtUp = (performance.now() - started) / 1000;
        assert.ok(tables, "tables read");
        const rows = await job!.snapshot({ rows: true });
        for (const { name, run, back } of runs) {
          const want = await expectedIds(cfg, run.summary.keys);
          const counts = Object.fromEntries(
            KINDS.map((k) => [k, tally(want[k], rows[k].rows!.map((r) => String(r[ID[k]])))]),
          ) as Record<Kind, ReturnType<typeof tally>>;
          await reportFault(cfg, {
            case: `${name} killed, stream route, supervised`,
            injected: run.injected,
            ...counts.pin,
            measured: {
              "back and healthy s": back.toFixed(1),
              "acknowledged sends": run.summary.acknowledged,
              "failed posts": run.summary.failed,
              retries: run.summary.retries,
              "Delta caught up s": caughtUp.toFixed(1),
            },
          });
          for (const k of KINDS) {
            assert.equal(counts[k].lost, 0, `${name}: ${k} posts missing from Delta`);
            assert.equal(counts[k].doubled, 0, `${name}: ${k} posts twice in Delta`);
          }
        }
        for (const k of KINDS) assert.equal(rows[k].count, keys.size, `${k}: only those posts`);
        const still = await Promise.race([ended, Promise.resolve(undefined)]);
        assert.equal(still, undefined, `the stream job ended: ${JSON.stringify(still)}`);
      });
    } finally {
      await job?.stop().catch(() => job?.kill());
      await restoreApi?.();
      await stack?.release();
      await Deno.remove(base, { recursive: true }).catch(() => {});
    }
  },
});
