/**
 * Reliability, round 2 (issue #19): services of the stack SIGKILLed mid-run, as a crash would,
 * and nobody restarts them by hand: the supervisor `up` started brings them back. In one
 * emulation through the stack's own gateway (run for the case's user id, on its topic route), the
 * REST proxy behind it is killed, then the gateway itself. The case counts every acknowledged
 * post by `unique_id` (pins) and `ind` (geo, user) in the lake and in the cleaned tables of the
 * batch job, and measures how soon each service was back.
 * Last, the REST proxy is killed each time it is back until the supervisor gives it up:
 * `deno task stack:status` shows it failed with its log and exits 3, and `up` brings it back.
 */
import assert from "node:assert/strict";
import type { Config } from "../../scripts/lib/core/config.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { seedSource } from "../../scripts/lib/source/seed.ts";
import { DEFAULT_ROWS } from "../../scripts/lib/source/synthetic.ts";
import { reportFault } from "../../scripts/lib/faults/report.ts";
import { runTask, startStack, type TestStack } from "../harness.ts";
import { crash, status, up } from "../../scripts/lib/stack/stack.ts";
import { RESTART_POLICY } from "../../scripts/lib/stack/supervisor.ts";
import { sleep } from "../../scripts/lib/core/time.ts";
import {
  assertBackWithin,
  caseConfig,
  countCleaned,
  countLake,
  type Counts,
  crashAndWait,
  emulateWith,
  FAULT_AT_MS,
  POSTS,
  type Run,
  serviceFor,
} from "./cases.ts";

/** The second fault of the emulation, after the first. */
const SECOND_FAULT_AFTER_MS = 5000;

/** Asserts every post acknowledged, and each exactly once in the lake and the cleaned tables. */
async function checkAndReport(
  c: { cfg: Config },
  name: string,
  run: Run,
  back: Record<string, number>,
) {
  assert.equal(run.summary.failed, 0, "no post failed");
  assert.equal(run.summary.acknowledged, POSTS, "every post acknowledged");
  for (const [what, s] of Object.entries(back)) assertBackWithin(s, what);
  const lake = await countLake(c, run);
  for (const k of KINDS) assert.equal(lake.counts[k].lost, 0, `${k} records lost in the lake`);
  const cleaned: Record<Kind, Counts> = await countCleaned(c.cfg, lake.want);
  for (const k of KINDS) {
    assert.equal(cleaned[k].lost, 0, `${k} posts missing from the cleaned table`);
    assert.equal(cleaned[k].doubled, 0, `${k} posts twice in the cleaned table`);
  }
  await reportFault(c.cfg, {
    case: name,
    injected: run.injected,
    ...cleaned.pin,
    measured: {
      ...Object.fromEntries(Object.entries(back).map(([k, v]) => [k, v.toFixed(1)])),
      "acknowledged sends": run.summary.acknowledged,
      "failed posts": run.summary.failed,
      retries: run.summary.retries,
      "extra copies in the lake": lake.counts.pin.doubled,
    },
  });
}

Deno.test({
  name: "faults: the REST proxy and the API gateway SIGKILLed mid-run come back by themselves",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let stack: TestStack | undefined;
    let restoreApi: (() => Promise<void>) | undefined;
    try {
      stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"]);
      const { ctx } = stack;
      await seedSource(stack.cfg, { rows: DEFAULT_ROWS, seed: 1 });

      await t.step(
        "the REST proxy, then the API gateway, SIGKILLed mid-emulation; nobody restarts them",
        async () => {
          // The stack's own gateway, run for this case's user id (it serves that id's topics);
          // one that ran for another is put back afterwards. One emulation takes both faults,
          // 5 s apart, so one batch run counts them (each costs about 25 s of Spark).
          const cfg = await caseConfig("fault-supervised");
          restoreApi = await serviceFor(ctx, cfg, "api");
          const back: Record<string, number> = {};
          const run = await emulateWith({ cfg }, async () => {
            back.proxy = (await crashAndWait(ctx, "rest_proxy")).s;
            await sleep(Math.max(0, SECOND_FAULT_AFTER_MS - back.proxy * 1000));
            back.api = (await crashAndWait(ctx, "api")).s;
            return `SIGKILL the Kafka REST proxy ${FAULT_AT_MS / 1000} s in, then the API ` +
              `gateway ${SECOND_FAULT_AFTER_MS / 1000} s later; nobody restarts them`;
          }, { apiUrl: cfg.apiUrl, concurrency: 4 });
          assert.ok(run.summary.retries > 0, "the emulator retried while they were down");
          await checkAndReport({ cfg }, "REST proxy, then API gateway killed, supervised", run, {
            "REST proxy back and healthy s": back.proxy,
            "API gateway back and healthy s": back.api,
          });
        },
      );

      await t.step("a service that keeps dying is left down, failed in stack:status", async () => {
        // SIGKILL the REST proxy each time it is back, until the supervisor gives it up.
        let kills = 0;
        for (;;) {
          const [st] = await status(ctx, ["rest_proxy"]);
          if (st.state === "failed") break;
          if (st.state === "healthy") {
            assert.ok(kills < RESTART_POLICY.maxDeaths, `still restarted after ${kills} deaths`);
            await crash(ctx, "rest_proxy");
            kills++;
          }
          await sleep(100);
        }
        assert.ok(kills >= 1);
        const shown = await runTask("stack:status");
        assert.equal(shown.code, 3, shown.output);
        assert.match(shown.output, /Kafka REST proxy .* failed .* killed by SIGKILL/);
        assert.match(
          shown.output,
          new RegExp(
            "✘ Kafka REST proxy failed: died 5 times in 120 s, last killed by SIGKILL " +
              "\\(at [^)]+\\); left down until `deno task stack:up`\\. Last lines of " +
              "\\S+rest_proxy\\.log:\\n[\\s\\S]*Kafka REST proxy on http",
          ),
        );
        // Started by hand again, it is watched afresh.
        await up(ctx, ["rest_proxy"]);
        const [again] = await status(ctx, ["rest_proxy"]);
        assert.equal(again.state, "healthy");
        console.log(`  REST proxy left down as failed after ${kills} more SIGKILLs, then up again`);
      });
    } finally {
      await restoreApi?.();
      await stack?.release();
    }
  },
});
