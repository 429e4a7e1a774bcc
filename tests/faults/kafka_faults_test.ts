/**
 * Reliability of the batch path on the real stack: while the emulator sends posts through the
 * API, one service fails (the Kafka broker is SIGKILLed, Kafka Connect is SIGKILLed, MinIO is
 * stopped for 20 s, MariaDB is restarted) and comes back. Each case has its own user id (own
 * topics, bucket and S3 sink), counts every acknowledged post by `unique_id` (pins) and `ind`
 * (geo, user) in the lake, and the broker case also in the cleaned tables of the batch job.
 */
import assert from "node:assert/strict";
import { type Api, startApi } from "../../scripts/lib/api/gateway.ts";
import { runBatch } from "../../scripts/lib/batch/batch.ts";
import { type Config, loadConfig } from "../../scripts/lib/core/config.ts";
import { setupConnector } from "../../scripts/lib/lake/connector.ts";
import {
  describeSourceEvent,
  emulate,
  type EmulateSummary,
  type SourceEvent,
} from "../../scripts/lib/emulator/emulator.ts";
import { readLake } from "../../scripts/lib/lake/lake.ts";
import { waitForLake } from "../../scripts/lib/lake/count.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { seedSource } from "../../scripts/lib/source/seed.ts";
import { SourcePosts } from "../../scripts/lib/source/posts.ts";
import { sleep } from "../../scripts/lib/core/time.ts";
import { down, kill, up } from "../../scripts/lib/stack/stack.ts";
import { stackContext } from "../../scripts/lib/stack/context.ts";
import { DEFAULT_ROWS } from "../../scripts/lib/source/synthetic.ts";
import { setupTopics } from "../../scripts/lib/kafka/topics.ts";
import { startStack, type TestStack, testUserId } from "../harness.ts";
import { reportFault, tally, tallyCopies } from "../../scripts/lib/faults/report.ts";

const SEED = 1;
/** Posts per case, and their pace: about 15 s of sending, the fault 4 s in. */
const POSTS = 3000;
const RATE = 200;
const FAULT_AT_MS = 4000;

/** Where each kind's post id is: pins by unique_id, geo and user rows by the source key. */
const ID: Record<Kind, string> = { pin: "unique_id", geo: "ind", user: "ind" };

interface Case {
  cfg: Config;
  api: Api;
}

/** A user id of the case's own: its topics, bucket and sink, and an API that accepts them. */
async function newCase(slug: string): Promise<Case> {
  const cfg = await loadConfig({ overrides: { PIPELINE_USER_ID: testUserId(slug) } });
  await setupTopics(cfg);
  await setupConnector(cfg);
  return { cfg, api: startApi(cfg, { port: 0 }) };
}

interface Run {
  summary: EmulateSummary;
  injected: string;
  retryReasons: string[];
  source: SourceEvent[];
}

/** Emulates POSTS posts and runs `fault` FAULT_AT_MS into it; returns both outcomes. */
async function emulateWith(c: Case, fault: () => Promise<string>): Promise<Run> {
  const retryReasons: string[] = [];
  const source: SourceEvent[] = [];
  const sending = emulate(c.cfg, {
    apiUrl: c.api.url,
    count: POSTS,
    rate: RATE,
    batch: 10,
    concurrency: 2,
    seed: 7,
    onRetry: (r) => retryReasons.push(r),
    onSource: (e) => {
      source.push(e);
      console.log(`  emulator: ${describeSourceEvent(e)}`);
    },
  });
  await sleep(FAULT_AT_MS);
  const injected = await fault();
  const summary = await sending;
  console.log(
    `  emulator: ${summary.acknowledged} acknowledged, ${summary.failed} failed, ` +
      `${summary.retries} retries in ${summary.seconds.toFixed(1)} s`,
  );
  return { summary, injected, retryReasons, source };
}

/** The ids each kind's records must carry for the acknowledged posts (repeats kept). */
async function expectedIds(cfg: Config, keys: number[]): Promise<Record<Kind, string[]>> {
  const source = await SourcePosts.open(cfg);
  try {
    const posts = await source.read(keys);
    return Object.fromEntries(
      KINDS.map((k) => [k, keys.map((key) => String(posts.get(key)![k][ID[k]]))]),
    ) as Record<Kind, string[]>;
  } finally {
    await source.close();
  }
}

/**
 * Waits until the lake holds a copy of every acknowledged record, and a few flushes more so a
 * late duplicate would show, then counts each kind's copies against what was acknowledged.
 */
async function countLake(c: Case, run: Run, timeoutMs = 120_000) {
  const n = run.summary.acknowledged;
  const started = performance.now();
  await waitForLake(c.cfg, { pin: n, geo: n, user: n }, timeoutMs);
  const caughtUp = (performance.now() - started) / 1000;
  await sleep(5000);
  const lake = await readLake(c.cfg);
  const want = await expectedIds(c.cfg, run.summary.keys);
  const counts = Object.fromEntries(
    KINDS.map((k) => [k, tallyCopies(want[k], lake[k].map((r) => String(r[ID[k]])))]),
  ) as Record<Kind, ReturnType<typeof tallyCopies>>;
  return { counts, caughtUp, want };
}

/** Reports a case counted in the lake, by the pins' unique_id. */
function reportLake(
  c: Case,
  name: string,
  run: Run,
  counts: Record<Kind, ReturnType<typeof tallyCopies>>,
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
    try {
      stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"]);
      const { ctx } = stack;
      await seedSource(stack.cfg, { rows: DEFAULT_ROWS, seed: SEED });

      await t.step("the Kafka broker is SIGKILLed mid-emulation and restarted", async () => {
        const c = await newCase("fault-broker");
        cases.push(c);
        const run = await emulateWith(c, async () => {
          const pid = await kill(ctx, "kafka");
          const down = performance.now();
          await sleep(2000);
          await up(ctx, ["kafka"]);
          const seconds = ((performance.now() - down) / 1000).toFixed(1);
          console.log(`  broker: SIGKILLed pid ${pid}, back after ${seconds} s`);
          return `SIGKILL Kafka broker ${FAULT_AT_MS / 1000} s in, restarted (down ${seconds} s)`;
        });
        assert.ok(run.summary.retries > 0, "the emulator retried while the broker was down");
        assert.ok(run.retryReasons.every((r) => /\b5\d\d\b|refused|reset|closed/i.test(r)));
        const lake = await countLake(c, run);
        assertNoneLost(lake.counts, "the lake");

        // The cleaned tables: every acknowledged post exactly once.
        const out = await Deno.makeTempDir({ prefix: "fault-broker-batch-" });
        try {
          const { report } = await runBatch(c.cfg, { out, show: POSTS * 2 });
          const cleaned = Object.fromEntries(
            KINDS.map((k) => [
              k,
              tally(lake.want[k], report.tables[k].rows.map((r) => String(r[ID[k]]))),
            ]),
          ) as Record<Kind, ReturnType<typeof tally>>;
          for (const k of KINDS) {
            assert.equal(cleaned[k].lost, 0, `${k} posts missing from the cleaned table`);
            assert.equal(cleaned[k].doubled, 0, `${k} posts twice in the cleaned table`);
          }
          await reportFault(c.cfg, {
            case: "Kafka broker killed",
            injected: run.injected,
            // The cleaned tables hold each post once, so this counts distinct posts.
            sent: cleaned.pin.sent,
            found: cleaned.pin.found,
            lost: cleaned.pin.lost,
            doubled: cleaned.pin.doubled,
            measured: {
              "acknowledged sends": run.summary.acknowledged,
              retries: run.summary.retries,
              "failed posts": run.summary.failed,
              "extra copies in the lake": lake.counts.pin.doubled,
              "lake caught up s": lake.caughtUp.toFixed(1),
            },
          });
        } finally {
          await Deno.remove(out, { recursive: true }).catch(() => {});
        }
      });

      await t.step("Kafka Connect is SIGKILLed mid-run and restarted", async () => {
        const c = await newCase("fault-connect");
        cases.push(c);
        const run = await emulateWith(c, async () => {
          const pid = await kill(ctx, "connect");
          await sleep(2000);
          // A standalone worker forgets REST-made connectors; on restart the stack registers the
          // sink of the user id it runs for, here the case's.
          await up(await stackContext(c.cfg), ["connect"]);
          console.log(`  connect: SIGKILLed pid ${pid}, restarted`);
          return `SIGKILL Kafka Connect ${FAULT_AT_MS / 1000} s in, restarted 2 s later`;
        });
        assert.equal(run.summary.failed, 0, "Connect is not on the produce path");
        const lake = await countLake(c, run);
        assertNoneLost(lake.counts, "the lake");
        await reportLake(c, "Kafka Connect killed", run, lake.counts, {
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
      await stack?.release();
    }
  },
});
