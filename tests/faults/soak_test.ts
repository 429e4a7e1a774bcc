/**
 * Reliability (issue #7): the soak. The emulator (a child process) sends 1,000 posts/s through
 * the API gateway (another child process) into Kafka and, through the S3 sink, the lake, for
 * `--soak-minutes` (2 by default; `deno task test:faults -- --soak-minutes 10`). Every 10 s the
 * test samples the resident memory of both processes and the S3 sink's consumer lag. It asserts
 * the rate was held, both memories stayed flat after a warm-up, the lag stayed bounded and
 * drained after the end, and every acknowledged record is in the lake exactly as many times as
 * it was acknowledged (pins by `unique_id`, geo and user rows by `ind`).
 */
import assert from "node:assert/strict";
import type { Admin } from "kafkajs";
import type { Config } from "../../scripts/lib/core/config.ts";
import { connectorName, setupConnector } from "../../scripts/lib/lake/connector.ts";
import { kafkaClient } from "../../scripts/lib/kafka/client.ts";
import { isLakeObject } from "../../scripts/lib/lake/lake.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { listObjects, readObjectText, s3Client } from "../../scripts/lib/lake/s3.ts";
import { ensureSource } from "../../scripts/lib/source/ready.ts";
import { sleep } from "../../scripts/lib/core/time.ts";
import { setupTopics } from "../../scripts/lib/kafka/topics.ts";
import { startStack, testUserId } from "../harness.ts";
import { type ApiChild, startApiChild } from "../../scripts/lib/api/child.ts";
import { type Child, startChild } from "../../scripts/lib/stack/child.ts";
import { reportFault, tallyCopies } from "../../scripts/lib/faults/report.ts";
import type { SoakEmulatorOutput } from "./soak_emulator.ts";
import { soakMinutes } from "./soak_options.ts";

const MINUTES = soakMinutes(Deno.args, Deno.env);
/** Target posts/s (1 post = a pin, a geo and a user record). */
const RATE = 1000;
/** Posts per request and requests in flight per topic: 40 requests/s per topic. */
const BATCH = 25;
const CONCURRENCY = 8;
/** The rate that counts as holding the target. */
const MIN_RATE = 0.9 * RATE;
const SAMPLE_MS = 10_000;
/** Memory is compared from this far in: the first seconds fill pools and JIT caches. */
const WARMUP_S = 15;
/**
 * Memory is flat when the end (median of the last 3 samples) is at most this far above the start
 * (median of the first 3 after the warm-up): 64 MiB or half the start, whichever is larger. A
 * leak of 1 KiB per post (about 120 MiB in 2 minutes) fails it.
 */
const rssAllowance = (start: number) => Math.max(64, start / 2);
/**
 * Lag is bounded when it never exceeds 15 s of production: the sink lands every 2 s
 * (`offset.flush.interval.ms`), so a sink that keeps up stays well under; one that falls behind
 * by a tenth grows past it within minutes.
 */
const MAX_LAG = 15 * 3 * RATE;
/** After the last post, the lag must be back to 0 within this. */
const DRAIN_S = 60;

/** One sample of the run. */
interface Sample {
  t: number;
  emulatorMiB?: number;
  apiMiB?: number;
  lag: number;
  acknowledged: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN;
};
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
function loadAverage(): string {
  return Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
}

/** Records not yet landed: end offsets minus the S3 sink group's committed offsets. */
async function sinkLag(admin: Admin, cfg: Config): Promise<number> {
  const topics = KINDS.map((k) => cfg.names.topics[k]);
  const committed = await admin.fetchOffsets({
    groupId: `connect-${connectorName(cfg)}`,
    topics,
  });
  let lag = 0;
  for (const topic of topics) {
    const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const c = Number(done.find((d) => d.partition === p.partition)?.offset ?? -1);
      lag += Number(p.high) - (c >= 0 ? c : Number(p.low));
    }
  }
  return lag;
}

/** The last progress line of the emulator child. */
function acknowledgedSoFar(emulator: Child): number {
  const lines = emulator.output().split("\n").filter((l) => l.startsWith("progress "));
  return lines.length ? JSON.parse(lines[lines.length - 1].slice(9)).acknowledged : 0;
}

const ID_PATTERN: Record<Kind, RegExp> = {
  pin: /"unique_id"\s*:\s*"([^"]*)"/,
  geo: /"ind"\s*:\s*"?(-?\d+)/,
  user: /"ind"\s*:\s*"?(-?\d+)/,
};

/**
 * Counts every record of the lake by id, object by object (a few at a time), keeping only the
 * counts: the ids repeat (the emulator samples the source with replacement), so memory stays
 * bounded by the source's size whatever the run's length.
 */
async function countLakeIds(cfg: Config) {
  const s3 = s3Client(cfg);
  const counts = Object.fromEntries(KINDS.map((k) => [k, new Map<string, number>()])) as Record<
    Kind,
    Map<string, number>
  >;
  let objects = 0;
  try {
    for (const kind of KINDS) {
      const keys = (await listObjects(s3, cfg.names.bucket, `topics/${cfg.names.topics[kind]}/`))
        .map((o) => o.key).filter(isLakeObject);
      objects += keys.length;
      const next = () => keys.shift();
      const worker = async () => {
        for (let key = next(); key; key = next()) {
          const text = await readObjectText(s3, cfg.names.bucket, key);
          for (const line of text.split("\n")) {
            if (!line.trim()) continue;
            const m = ID_PATTERN[kind].exec(line);
            const id = m ? m[1] : String(JSON.parse(line)[kind === "pin" ? "unique_id" : "ind"]);
            counts[kind].set(id, (counts[kind].get(id) ?? 0) + 1);
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
    }
  } finally {
    s3.destroy();
  }
  return { counts, objects };
}

/** Each id as many times as it was counted, without building the list. */
function* copies(entries: Iterable<[string, number]>): Generator<string> {
  for (const [id, n] of entries) for (let i = 0; i < n; i++) yield id;
}

Deno.test({
  name: `soak: ${MINUTES} min at ${RATE} posts/s through the API into Kafka and the lake`,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"], {
      userId: testUserId("soak"),
    });
    const { cfg } = stack;
    const admin = kafkaClient(cfg, "soak-admin").admin();
    const outFile = await Deno.makeTempFile({ prefix: "soak-", suffix: ".json" });
    let api: ApiChild | undefined;
    let emulator: Child | undefined;
    try {
      await ensureSource(cfg);
      await setupTopics(cfg);
      await setupConnector(cfg);
      await admin.connect();
      api = await startApiChild(cfg);
      const loadStart = loadAverage();

      const samples: Sample[] = [];
      let summary: SoakEmulatorOutput | undefined;
      let drainSeconds = NaN;
      await t.step(`emulate ${MINUTES} min at ${RATE} posts/s, sampling every 10 s`, async () => {
        const started = performance.now();
        emulator = await startChild(cfg, "tests/faults/soak_emulator.ts", [
          ...["--rate", String(RATE), "--duration", String(MINUTES * 60)],
          ...["--batch", String(BATCH), "--concurrency", String(CONCURRENCY), "--seed", "7"],
        ], { env: { SOAK_OUT: outFile, PIPELINE_API_URL: api!.url } });
        let ended = false;
        const exited = emulator.exited.then((code) => {
          ended = true;
          return code;
        });
        console.log(`  emulator pid ${emulator.pid}, API pid ${api!.pid} at ${api!.url}`);
        while (!ended) {
          const s: Sample = {
            t: round((performance.now() - started) / 1000, 1),
            emulatorMiB: await emulator.rssMiB(),
            apiMiB: await api!.rssMiB(),
            lag: await sinkLag(admin, cfg),
            acknowledged: acknowledgedSoFar(emulator),
          };
          if (!ended) {
            samples.push(s);
            console.log(
              `  t ${s.t} s: ${s.acknowledged} posts acknowledged, emulator ${
                s.emulatorMiB?.toFixed(0)
              } MiB, API ${s.apiMiB?.toFixed(0)} MiB, sink lag ${s.lag} records`,
            );
          }
          await Promise.race([
            exited,
            sleep(SAMPLE_MS - (performance.now() - started) % SAMPLE_MS),
          ]);
        }
        const code = await exited;
        assert.equal(code, 0, `the emulator failed:\n${emulator.output()}`);
        summary = JSON.parse(await Deno.readTextFile(outFile)) as SoakEmulatorOutput;
        console.log(
          `  ${summary.acknowledged} posts acknowledged in ${summary.seconds.toFixed(1)} s (` +
            `${summary.postsPerSecond.toFixed(0)} posts/s, ${summary.failed} failed, ` +
            `${summary.retries} retries)`,
        );
      });
      if (!summary) throw new Error("The soak did not run; see above");

      await t.step("the sink's lag drains to 0 after the last post", async () => {
        const started = performance.now();
        for (;;) {
          const lag = await sinkLag(admin, cfg);
          if (lag === 0) break;
          if (performance.now() - started > 3 * DRAIN_S * 1000) break;
          await sleep(1000);
        }
        drainSeconds = round((performance.now() - started) / 1000, 1);
        console.log(`  lag 0 after ${drainSeconds} s`);
      });

      const { counts, objects } = await countLakeIds(cfg);
      const per = Object.fromEntries(KINDS.map((k) => [
        k,
        tallyCopies(copies(summary!.acked[k]), copies(counts[k])),
      ])) as Record<Kind, ReturnType<typeof tallyCopies>>;
      const lakeRecords = KINDS.map((k) => [...counts[k].values()].reduce((a, b) => a + b, 0));
      const ackedRecords = KINDS.map((k) => summary!.acked[k].reduce((a, [, n]) => a + n, 0));
      const stray = KINDS.map((k) => {
        const acked = new Set(summary!.acked[k].map(([id]) => id));
        return [...counts[k]].filter(([id]) => !acked.has(id)).reduce((a, [, n]) => a + n, 0);
      }).reduce((a, b) => a + b, 0);

      const running = samples.filter((s) => s.t >= WARMUP_S);
      const first = running.slice(0, 3);
      const last = running.slice(-3);
      const rss = (pick: (s: Sample) => number | undefined, of: Sample[]) =>
        round(median(of.map(pick).filter((x): x is number => x !== undefined)));
      const emulatorStart = rss((s) => s.emulatorMiB, first);
      const emulatorEnd = rss((s) => s.emulatorMiB, last);
      const apiStart = rss((s) => s.apiMiB, first);
      const apiEnd = rss((s) => s.apiMiB, last);
      const maxLag = Math.max(...samples.map((s) => s.lag));
      const loadEnd = loadAverage();

      await reportFault(cfg, {
        case: "soak",
        injected: `${MINUTES} min of emulation at ${RATE} posts/s (batch ${BATCH}, ` +
          `concurrency ${CONCURRENCY}) through the API into Kafka and the lake`,
        sent: summary.acknowledged,
        found: per.pin.found,
        lost: Math.max(...KINDS.map((k) => per[k].lost)),
        doubled: Math.max(...KINDS.map((k) => per[k].doubled)),
        measured: {
          minutes: MINUTES,
          "posts/s": round(summary.postsPerSecond),
          rss_emulator_start_mib: emulatorStart,
          rss_emulator_end_mib: emulatorEnd,
          rss_api_start_mib: apiStart,
          rss_api_end_mib: apiEnd,
          max_lag: maxLag,
          drain_s: drainSeconds,
          failed: summary.failed,
          retries: summary.retries,
          lake_objects: objects,
          load_start: loadStart,
          load_end: loadEnd,
        },
      });

      await t.step(`the rate held: at least ${MIN_RATE} posts/s acknowledged`, () => {
        assert.equal(summary!.failed, 0, `failed posts: ${summary!.errors.join("; ")}`);
        assert.ok(
          summary!.postsPerSecond >= MIN_RATE,
          `${summary!.postsPerSecond.toFixed(0)} posts/s (load average ${loadStart} -> ${loadEnd})`,
        );
      });

      await t.step("the memory of the emulator and of the API stayed flat", () => {
        assert.ok(
          first.length === 3 && last.length === 3,
          `${running.length} samples after warm-up`,
        );
        for (
          const [who, start, end] of [
            ["emulator", emulatorStart, emulatorEnd],
            ["API", apiStart, apiEnd],
          ] as const
        ) {
          assert.ok(
            end - start <= rssAllowance(start),
            `${who} RSS grew from ${start} to ${end} MiB (allowed +${rssAllowance(start)} MiB)`,
          );
        }
      });

      await t.step(
        `the sink's lag stayed under ${MAX_LAG} records and drained in ${DRAIN_S} s`,
        () => {
          assert.ok(maxLag <= MAX_LAG, `max lag ${maxLag} records`);
          assert.ok(drainSeconds <= DRAIN_S, `lag back to 0 after ${drainSeconds} s`);
        },
      );

      await t.step(
        "every acknowledged record is in the lake exactly as often as acknowledged",
        () => {
          for (const [i, k] of KINDS.entries()) {
            assert.deepEqual(
              { ...per[k], lakeRecords: lakeRecords[i] },
              {
                sent: ackedRecords[i],
                found: ackedRecords[i],
                lost: 0,
                doubled: 0,
                lakeRecords: ackedRecords[i],
              },
              `${k} records by ${k === "pin" ? "unique_id" : "ind"}`,
            );
          }
          assert.equal(stray, 0, "records in the lake that were never acknowledged");
          assert.equal(ackedRecords[0], summary!.acknowledged);
        },
      );
    } finally {
      await emulator?.stop();
      await api?.stop();
      await admin.disconnect();
      await Deno.remove(outFile).catch(() => {});
      await stack.release();
    }
  },
});
