/**
 * Reliability, round 2 (issue #19): services of the stack SIGKILLed mid-run, as a crash would,
 * and nobody restarts them by hand: the supervisor `up` started brings them back. The REST proxy
 * is killed under the emulator (the case's API in this process in front of it); the API gateway
 * is the stack's own, run for the case's user id, killed under the emulator on its topic route.
 * Each case counts every acknowledged post by `unique_id` (pins) and `ind` (geo, user) in the
 * lake and in the cleaned tables of the batch job, and measures how soon the service was back.
 * Last, the REST proxy is killed each time it is back until the supervisor gives it up:
 * `deno task stack:status` shows it failed with its log and exits 3, and `up` brings it back.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../scripts/lib/core/config.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { seedSource } from "../../scripts/lib/source/seed.ts";
import { DEFAULT_ROWS } from "../../scripts/lib/source/synthetic.ts";
import { setupTopics } from "../../scripts/lib/kafka/topics.ts";
import { setupConnector } from "../../scripts/lib/lake/connector.ts";
import { reportFault } from "../../scripts/lib/faults/report.ts";
import { runTask, startStack, type TestStack, testUserId } from "../harness.ts";
import { crash, status, up } from "../../scripts/lib/stack/stack.ts";
import { RESTART_POLICY } from "../../scripts/lib/stack/supervisor.ts";
import { sleep } from "../../scripts/lib/core/time.ts";
import {
  BACK_WITHIN_S,
  type Case,
  countCleaned,
  countLake,
  type Counts,
  crashAndWait,
  emulateWith,
  FAULT_AT_MS,
  newCase,
  POSTS,
  type Run,
  stackApiFor,
} from "./cases.ts";

/** Asserts every post acknowledged, and each exactly once in the lake and the cleaned tables. */
async function checkAndReport(c: { cfg: Case["cfg"] }, name: string, run: Run, back: number) {
  assert.equal(run.summary.failed, 0, "no post failed");
  assert.equal(run.summary.acknowledged, POSTS, "every post acknowledged");
  assert.ok(back < BACK_WITHIN_S, `back within ${BACK_WITHIN_S} s (took ${back.toFixed(1)} s)`);
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
      "back and healthy s": back.toFixed(1),
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
    const cases: Case[] = [];
    let restoreApi: (() => Promise<void>) | undefined;
    try {
      stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"]);
      const { ctx } = stack;
      await seedSource(stack.cfg, { rows: DEFAULT_ROWS, seed: 1 });

      await t.step("the REST proxy is SIGKILLed mid-emulation; nobody restarts it", async () => {
        const c = await newCase("fault-proxy");
        cases.push(c);
        let back = Infinity;
        const run = await emulateWith(c, async () => {
          back = (await crashAndWait(ctx, "rest_proxy")).s;
          return `SIGKILL the Kafka REST proxy ${FAULT_AT_MS / 1000} s in; nobody restarts it`;
        }, { concurrency: 4 });
        assert.ok(run.summary.retries > 0, "the emulator retried while the proxy was down");
        await checkAndReport(c, "REST proxy killed, supervised", run, back);
      });

      await t.step("the API gateway is SIGKILLed mid-emulation; nobody restarts it", async () => {
        // The stack's own gateway, run for this case's user id (it serves that id's topics);
        // one that ran for another is put back afterwards.
        const cfg = await loadConfig({ overrides: { PIPELINE_USER_ID: testUserId("fault-api") } });
        await setupTopics(cfg);
        await setupConnector(cfg);
        restoreApi = await stackApiFor(ctx, cfg);
        let back = Infinity;
        const run = await emulateWith({ cfg }, async () => {
          back = (await crashAndWait(ctx, "api")).s;
          return `SIGKILL the API gateway ${FAULT_AT_MS / 1000} s in; nobody restarts it`;
        }, { apiUrl: cfg.apiUrl, concurrency: 4 });
        assert.ok(run.summary.retries > 0, "the emulator retried while the gateway was down");
        await checkAndReport({ cfg }, "API gateway killed, supervised", run, back);
      });

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
      for (const c of cases) await c.api.close();
      await restoreApi?.();
      await stack?.release();
    }
  },
});
