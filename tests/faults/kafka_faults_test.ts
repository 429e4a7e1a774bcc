/**
 * Reliability of the batch path on the real stack: while the emulator sends posts through the
 * API, one service fails (the Kafka broker is SIGKILLed, Kafka Connect is SIGKILLed, MinIO is
 * stopped for 20 s, MariaDB is restarted) and comes back: the killed ones by the supervisor,
 * nobody restarting them by hand, within BACK_WITHIN_S. Each case has its own user id (own
 * topics, bucket and S3 sink), counts every acknowledged post by `unique_id` (pins) and `ind`
 * (geo, user) in the lake, and the broker case also in the cleaned tables of the batch job.
 */
import assert from "node:assert/strict";
import { down, up } from "../../scripts/lib/stack/stack.ts";
import { DEFAULT_ROWS } from "../../scripts/lib/source/synthetic.ts";
import { describeSourceEvent } from "../../scripts/lib/emulator/emulator.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { seedSource } from "../../scripts/lib/source/seed.ts";
import { sleep } from "../../scripts/lib/core/time.ts";
import { startStack, type TestStack } from "../harness.ts";
import { reportFault } from "../../scripts/lib/faults/report.ts";
import {
  assertBackWithin,
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
  serviceFor,
} from "./cases.ts";

const SEED = 1;

/** Reports a case counted in the lake, by the pins' unique_id. */
function reportLake(
  c: Case,
  name: string,
  run: Run,
  counts: Record<Kind, Counts>,
  measured: Record<string, string | number>,
): Promise<void> {
  return reportFault(c.cfg, {
    case: name,
    injected: run.injected,
    sent: run.summary.acknowledged,
    found: counts.pin.found,
    lost: counts.pin.lost,
    doubled: counts.pin.doubled,
    measured,
  });
}

function assertNoneLost(counts: Record<Kind, { lost: number }>, where: string) {
  for (const k of KINDS) assert.equal(counts[k].lost, 0, `${k} records lost in ${where}`);
}

Deno.test({
  name: "faults: broker, Connect, MinIO and MariaDB fail mid-run; no acknowledged post is lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let stack: TestStack | undefined;
    const cases: Case[] = [];
    let restoreConnect: (() => Promise<void>) | undefined;
    try {
      stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"]);
      const { ctx } = stack;
      await seedSource(stack.cfg, { rows: DEFAULT_ROWS, seed: SEED });

      await t.step("the Kafka broker is SIGKILLed mid-emulation; nobody restarts it", async () => {
        const c = await newCase("fault-broker");
        cases.push(c);
        let back = Infinity;
        const run = await emulateWith(c, async () => {
          back = (await crashAndWait(ctx, "kafka")).s;
          return `SIGKILL the Kafka broker ${FAULT_AT_MS / 1000} s in; nobody restarts it`;
        });
        assertBackWithin(back);
        // Back in about 5 s, the broker is often waited out by the REST proxy's own producer
        // retries, so the emulator may see no failure at all; any it sees is a 5xx or a refusal.
        assert.ok(run.retryReasons.every((r) => /\b5\d\d\b|refused|reset|closed/i.test(r)));
        const lake = await countLake(c, run);
        assertNoneLost(lake.counts, "the lake");

        // The cleaned tables: every acknowledged post exactly once.
        const cleaned = await countCleaned(c.cfg, lake.want);
        for (const k of KINDS) {
          assert.equal(cleaned[k].lost, 0, `${k} posts missing from the cleaned table`);
          assert.equal(cleaned[k].doubled, 0, `${k} posts twice in the cleaned table`);
        }
        await reportFault(c.cfg, {
          case: "Kafka broker killed",
          injected: run.injected,
          // The cleaned tables hold each post once, so this counts distinct posts.
          ...cleaned.pin,
          measured: {
            "back and healthy s": back.toFixed(1),
            "acknowledged sends": run.summary.acknowledged,
            retries: run.summary.retries,
            "failed posts": run.summary.failed,
            "extra copies in the lake": lake.counts.pin.doubled,
            "lake caught up s": lake.caughtUp.toFixed(1),
          },
        });
      });

      await t.step("Kafka Connect is SIGKILLed mid-run; nobody restarts it", async () => {
        const c = await newCase("fault-connect");
        cases.push(c);
        // A standalone worker forgets REST-made connectors: the one restarted registers the sink
        // of the user id it runs for, so it runs for the case's.
        restoreConnect = await serviceFor(ctx, c.cfg, "connect");
        let back = Infinity;
        const run = await emulateWith(c, async () => {
          back = (await crashAndWait(ctx, "connect")).s;
          return `SIGKILL Kafka Connect ${FAULT_AT_MS / 1000} s in; nobody restarts it`;
        });
        assertBackWithin(back);
        assert.equal(run.summary.failed, 0, "Connect is not on the produce path");
        const lake = await countLake(c, run);
        assertNoneLost(lake.counts, "the lake");
        await reportLake(c, "Kafka Connect killed", run, lake.counts, {
          "back and healthy s": back.toFixed(1),
          "lake caught up s": lake.caughtUp.toFixed(1),
        });
      });

      await t.step("MinIO is stopped for 20 s mid-run", async () => {
        const c = await newCase("fault-minio");
        cases.push(c);
        const run = await emulateWith(c, async () => {
          await down(ctx, { only: ["minio"] });
          await sleep(20_000);
          await up(ctx, ["minio"]);
          return `MinIO stopped ${FAULT_AT_MS / 1000} s in for 20 s`;
        });
        assert.equal(run.summary.failed, 0, "MinIO is not on the produce path");
        const lake = await countLake(c, run);
        assertNoneLost(lake.counts, "the lake");
        await reportLake(c, "MinIO stopped 20 s", run, lake.counts, {
          "lake caught up s after MinIO returned": lake.caughtUp.toFixed(1),
        });
      });

      await t.step(
        "MariaDB is restarted mid-emulation: the emulator waits and resumes",
        async () => {
          const c = await newCase("fault-mariadb");
          cases.push(c);
          const run = await emulateWith(c, async () => {
            const stopped = performance.now();
            await down(ctx, { only: ["mariadb"] });
            await sleep(2000);
            await up(ctx, ["mariadb"]);
            const seconds = ((performance.now() - stopped) / 1000).toFixed(1);
            return `MariaDB stopped ${FAULT_AT_MS / 1000} s in and restarted (down ${seconds} s)`;
          });
          assert.equal(run.summary.acknowledged, POSTS, "every post was sent after the restart");
          assert.deepEqual(run.source.map((e) => e.state), ["down", "back"]);
          assert.match(describeSourceEvent(run.source[0]), /Source database unreachable \(.+\)/);
          const lake = await countLake(c, run);
          assertNoneLost(lake.counts, "the lake");
          await reportLake(c, "MariaDB restarted", run, lake.counts, {
            "emulator waited s": run.summary.sourceWaitSeconds.toFixed(1),
          });
        },
      );
    } finally {
      for (const c of cases) await c.api.close();
      await restoreConnect?.();
      await stack?.release();
    }
  },
});
