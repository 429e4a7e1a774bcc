/**
 * The stream latency benchmark: how long from a PutRecord through the API until the row is
 * visible in its Delta table, at several post rates. It never touches the pipeline's data: it
 * works under a user id of its own (`<user_id>-bench`: its own streams, deleted at the end), with
 * a gateway process of its own (`scripts/api.ts` for that user id) and one stream job on fresh
 * tables. Each post has a key of its own, so every record is one sample. A record is visible
 * when the micro-batch that appended it has committed: the job reports each batch's keys, start
 * and commit time. On its own streams (created afresh) the job reads from their start.
 *
 * @module
 */
import { quantileBars, summarize, type Summary } from "./stats.ts";
import { barChart } from "../view/chart.ts";
import { DeleteStreamCommand } from "@aws-sdk/client-kinesis";
import type { Config } from "../core/config.ts";
import { kinesisClient } from "../kinesis/client.ts";
import { type Kind, KINDS, names } from "../core/names.ts";
import { isoDatetime, sleep } from "../core/time.ts";
import { stackContext } from "../stack/context.ts";
import { partitionKeyOf, putStreamRecords } from "../emulator/stream_sender.ts";
import { apiRoutes } from "../api/routes.ts";
import { setupStreams } from "../kinesis/streams.ts";
import { startStreamJob } from "../stream/job.ts";
import { type StreamEvent } from "../stream/events.ts";
import { post } from "../source/synthetic.ts";
import { type ApiChild, startApiChild } from "../api/child.ts";

/** Options of {@linkcode benchStream}. */
export interface StreamBenchOptions {
  /** Post rates to measure, posts per second (default 10, 100, 1000). */
  rates?: number[];
  /** Seconds of sending per rate (default 15). */
  seconds?: number;
  /** Seconds of sending at 10 posts/s first, not measured: JIT and caches warm up (default 10). */
  warmup?: number;
  /** Seconds between micro-batches of the stream job (default 1). */
  triggerSeconds?: number;
  /** PutRecords batches (one per 100 ms tick, three streams each) in flight at most (default 16). */
  concurrency?: number;
  /**
   * A running API to send through, writing to `cfg`'s own streams (AWS). By default the bench
   * starts a gateway of its own for its own user id and streams.
   */
  apiUrl?: string;
  /** Seconds to wait for the last rows of a rate to become visible (default 60). */
  drainSeconds?: number;
  /** Progress lines. */
  onProgress?: (message: string) => void;
  /** Sees every event of the stream job (micro-batches, Spark's trigger progress). */
  onJobEvent?: (e: StreamEvent) => void;
}

/** Latency at one rate, in seconds from the moment each post was due to be sent. */
export interface RateResult {
  rate: number;
  /** Posts sent and their achieved rate (a sender that falls behind stops 5 s late). */
  posts: number;
  achievedRate: number;
  /** Records (three per post) acknowledged, failed, and seen in the tables. */
  records: number;
  failed: number;
  visible: number;
  /** API round trip of PutRecord. */
  ack?: Summary;
  /** PutRecord sent -> micro-batch with the row committed to Delta. */
  latency?: Summary;
  /** Of that, PutRecord sent -> start of the micro-batch that carried the row. */
  waited?: Summary;
  perKind: Partial<Record<Kind, Summary>>;
  errors: string[];
}

/** What {@linkcode benchStream} measured. */
export interface StreamBenchResult {
  options:
    & Required<
      Omit<StreamBenchOptions, "onProgress" | "onJobEvent" | "apiUrl" | "concurrency">
    >
    & {
      apiUrl: string;
      shards: number;
    };
  host: { cpus: number; sparkMaster: string };
  rates: RateResult[];
  /** Micro-batches committed during the measured runs, and their durations. */
  microBatches: { count: number; seconds?: Summary };
  goals: { goal: string; value: string; met: boolean }[];
  seconds: number;
}

/** Keys of the benchmark's posts start here, far above any source key. */
export const BENCH_KEY_BASE = 10_000_000;

/**
 * Runs the benchmark against the running API and Kinesis; starts and stops its own stream job.
 *
 * @example
 * ```ts ignore
 * const r = await benchStream(cfg, { rates: [100], seconds: 10 });
 * r.rates[0].latency?.p50; // seconds
 * ```
 */
export async function benchStream(
  cfg: Config,
  opts: StreamBenchOptions = {},
): Promise<StreamBenchResult> {
  const started = performance.now();
  const rates = opts.rates ?? [10, 100, 1000];
  const seconds = opts.seconds ?? 15;
  const warmup = opts.warmup ?? 10;
  const trigger = opts.triggerSeconds ?? 1;
  const drain = opts.drainSeconds ?? 60;
  const say = opts.onProgress ?? (() => {});
  const own = opts.apiUrl === undefined;
  if (own) {
    // From here on cfg names the bench's own streams and tables, never the pipeline's.
    const userId = `${cfg.userId}-bench`.slice(0, 40);
    cfg = { ...cfg, userId, names: names(userId) };
    say(`Creating the bench streams ${Object.values(cfg.names.streams).join(", ")}`);
    await freshStreams(cfg);
  }
  const gateway = own ? await startApiChild(cfg) : undefined;
  const apiUrl = opts.apiUrl ?? gateway!.url;
  const ctx = await stackContext(cfg);
  const base = `${cfg.stateDir}/bench/stream-${Date.now()}`;

  // committed_ms per kind and key, as the job reports its micro-batches.
  const visibleAt = Object.fromEntries(KINDS.map((k) => [k, new Map<number, number>()])) as Record<
    Kind,
    Map<number, number>
  >;
  // started_ms of the micro-batch that carried each key.
  const startedAt = Object.fromEntries(KINDS.map((k) => [k, new Map<number, number>()])) as Record<
    Kind,
    Map<number, number>
  >;
  const batchSeconds: number[] = [];
  let measuring = false;
  const onEvent = (e: StreamEvent) => {
    opts.onJobEvent?.(e);
    if (e.event !== "batch") return;
    if (measuring) batchSeconds.push(e.seconds);
    for (const k of e.keys ?? []) {
      visibleAt[e.kind].set(k, e.committed_ms);
      startedAt[e.kind].set(k, e.started_ms);
    }
  };

  say(
    `Starting a stream job on fresh tables under ${base} ` +
      (own ? "(its streams are new: from their start)" : "(new records only)"),
  );
  const job = await startStreamJob(ctx, {
    base,
    // The bench's own streams hold only its posts. LATEST stays LATEST in the connector until a
    // micro-batch reads a record (records put between two batches are skipped till then) and
    // rules out skipping empty triggers.
    startingPosition: own ? "TRIM_HORIZON" : "LATEST",
    emitKeys: true,
    emitProgress: opts.onJobEvent !== undefined,
    triggerSeconds: trigger,
    onEvent,
  }).catch(async (e) => {
    await cleanUp(cfg, gateway, own);
    throw e;
  });
  let nextKey = BENCH_KEY_BASE;
  const results: RateResult[] = [];
  try {
    await job.ready;
    // LATEST starts at the tip once the first micro-batch ran: give it a moment before sending.
    if (!own) await sleep(3000 + trigger * 1000);
    const run = async (rate: number, secs: number) => {
      const count = Math.max(1, Math.round(rate * secs));
      const first = nextKey;
      nextKey += count;
      return await sendAt(
        cfg,
        apiUrl,
        first,
        count,
        rate,
        opts.concurrency,
        { visibleAt, startedAt },
        drain,
      );
    };
    if (warmup > 0) {
      say(`Warm-up: 10 posts/s for ${warmup} s (not measured)`);
      await run(10, warmup);
    }
    measuring = true;
    for (const rate of rates) {
      say(`Measuring ${rate} posts/s for ${seconds} s`);
      const r = await run(rate, seconds);
      results.push(r);
      say(
        `  ${r.posts} posts at ${r.achievedRate.toFixed(0)}/s: p50 ${fmt(r.latency?.p50)} s, ` +
          `p95 ${fmt(r.latency?.p95)} s, p99 ${fmt(r.latency?.p99)} s ` +
          `(${r.visible}/${r.records} records visible, ${r.failed} failed)`,
      );
    }
  } finally {
    const end = await job.stop();
    if (!end.graceful) say(`! The stream job did not stop cleanly (code ${end.code})`);
    await Deno.remove(base, { recursive: true }).catch(() => {});
    await cleanUp(cfg, gateway, own);
  }
  const at100 = results.find((r) => r.rate === 100);
  return {
    options: {
      rates,
      seconds,
      warmup,
      triggerSeconds: trigger,
      drainSeconds: drain,
      apiUrl,
      shards: cfg.kinesis.shards,
    },
    host: { cpus: navigator.hardwareConcurrency, sparkMaster: "local[2]" },
    rates: results,
    microBatches: {
      count: batchSeconds.length,
      seconds: batchSeconds.length ? summarize(batchSeconds) : undefined,
    },
    goals: at100
      ? [
        {
          goal: "p50 <= 3 s at 100 posts/s",
          value: `${fmt(at100.latency?.p50)} s`,
          met: (at100.latency?.p50 ?? Infinity) <= 3,
        },
        {
          goal: "p99 <= 10 s at 100 posts/s",
          value: `${fmt(at100.latency?.p99)} s`,
          met: (at100.latency?.p99 ?? Infinity) <= 10,
        },
      ]
      : [],
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Deletes the bench's streams (kinesalite runs with deleteStreamMs 0: gone at once) and creates
 * them again, empty.
 */
async function freshStreams(cfg: Config): Promise<void> {
  for (let attempt = 1;; attempt++) {
    const states = await setupStreams(cfg);
    if (states.every((s) => s.status === "created")) return;
    // Left by an interrupted run: their records would be read again, under the same keys.
    if (attempt === 10) {
      throw new Error(
        `Cannot recreate the bench streams ${states.map((s) => s.stream).join(", ")}: ` +
          "they are still there after being deleted",
      );
    }
    await deleteStreams(cfg);
    await sleep(500);
  }
}

async function deleteStreams(cfg: Config): Promise<void> {
  const kinesis = kinesisClient(cfg);
  for (const kind of KINDS) {
    await kinesis.send(new DeleteStreamCommand({ StreamName: cfg.names.streams[kind] }))
      .catch(() => {});
  }
  kinesis.destroy();
}

/** Stops the bench's gateway and deletes its streams. */
async function cleanUp(
  cfg: Config,
  gateway: ApiChild | undefined,
  own: boolean,
): Promise<void> {
  if (gateway) await gateway.stop();
  if (own) await deleteStreams(cfg);
}

function fmt(n: number | undefined): string {
  return n === undefined ? "-" : n.toFixed(2);
}

/** The three rows of benchmark post `key`: a synthetic post, re-keyed, datetimes as on the wire. */
function benchPost(key: number): Record<Kind, Record<string, unknown>> {
  const p = post(1, key);
  return {
    pin: { ...p.pin, index: key },
    geo: { ...p.geo, ind: key, timestamp: isoDatetime(p.geo.timestamp) },
    user: { ...p.user, ind: key, date_joined: isoDatetime(p.user.date_joined) },
  };
}

/** Milliseconds of posts batched into one PutRecords a stream. */
const TICK_MS = 100;
/** Kinesis takes at most 500 records a PutRecords. */
const PUT_RECORDS_MAX = 500;

/** Sends `count` posts from key `first` at `rate`, then waits for them to be visible. */

async function sendAt(
  cfg: Config,
  apiUrl: string,
  first: number,
  count: number,
  rate: number,
  concurrency: number | undefined,
  seen: {
    visibleAt: Record<Kind, Map<number, number>>;
    startedAt: Record<Kind, Map<number, number>>;
  },
  drainSeconds: number,
): Promise<RateResult> {
  const { visibleAt, startedAt } = seen;
  const api = apiRoutes(cfg, apiUrl);
  const sentAt = new Map<number, number>();
  const acks: number[] = [];
  const errors = new Set<string>();
  let failed = 0;
  // The posts due in each tick go together, one PutRecords a stream (as a producer batching
  // for Kinesis does): at 1,000 posts/s one record a request would take 3,000 requests/s.
  const inFlightLimit = concurrency ?? 16;
  const start = performance.now();
  const wallStart = Date.now();
  // A sender that cannot keep up stops a little after the planned time: the run stays bounded
  // and the achieved rate says what was measured.
  const stopAt = start + (count / rate) * 1000 + 5000;
  const sendBatch = async (from: number, to: number) => {
    const keys = Array.from({ length: to - from }, (_, j) => first + from + j);
    // A post's latency starts when it was due, so the wait for its tick is counted.
    const dueAt = (key: number) => wallStart + ((key - first) * 1000) / rate;
    const posts = keys.map((key) => ({ key, rows: benchPost(key) }));
    for (const { key } of posts) sentAt.set(key, dueAt(key));
    await Promise.all(KINDS.map(async (kind) => {
      for (let at = 0; at < posts.length; at += PUT_RECORDS_MAX) {
        const chunk = posts.slice(at, at + PUT_RECORDS_MAX);
        try {
          await putStreamRecords(
            api,
            cfg.names.streams[kind],
            chunk.map(({ rows }) => ({
              data: rows[kind],
              partitionKey: partitionKeyOf(rows[kind]),
            })),
            { batch: true },
          );
          const now = wallStart + (performance.now() - start);
          for (const { key } of chunk) acks.push((now - dueAt(key)) / 1000);
        } catch (e) {
          failed += chunk.length;
          if (errors.size < 5) errors.add((e as Error).message);
        }
      }
    }));
  };
  const inFlight = new Set<Promise<void>>();
  let sentUpTo = 0;
  while (sentUpTo < count && performance.now() < stopAt) {
    const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    if (due > sentUpTo && inFlight.size < inFlightLimit) {
      const p = sendBatch(sentUpTo, due).finally(() => inFlight.delete(p));
      inFlight.add(p);
      sentUpTo = due;
    }
    await sleep(TICK_MS);
  }
  await Promise.all(inFlight);
  const sendSeconds = (performance.now() - start) / 1000;
  const sent = sentAt.size;
  const expected = sent * KINDS.length - failed;
  const visible = () =>
    KINDS.reduce((n, k) => n + [...sentAt.keys()].filter((key) => visibleAt[k].has(key)).length, 0);
  const deadline = Date.now() + drainSeconds * 1000;
  while (visible() < expected && Date.now() < deadline) await sleep(250);

  const all: number[] = [];
  const waits: number[] = [];
  const perKind: Partial<Record<Kind, Summary>> = {};
  for (const kind of KINDS) {
    const lat: number[] = [];
    for (const [key, t0] of sentAt) {
      const at = visibleAt[kind].get(key);
      if (at !== undefined) lat.push((at - t0) / 1000);
      const began = startedAt[kind].get(key);
      if (began !== undefined) waits.push((began - t0) / 1000);
    }
    if (lat.length) perKind[kind] = summarize(lat);
    for (const x of lat) all.push(x);
  }
  return {
    rate,
    posts: sent,
    achievedRate: sent / sendSeconds,
    records: sent * KINDS.length - failed,
    failed,
    visible: all.length,
    ack: acks.length ? summarize(acks) : undefined,
    latency: all.length ? summarize(all) : undefined,
    waited: waits.length ? summarize(waits) : undefined,
    perKind,
    errors: [...errors],
  };
}

/**
 * The chart of a stream bench: the latency distribution at each rate (min, p50, p95, p99, max,
 * from each post's due time to its row committed in Delta), as bars in seconds (an SVG
 * document).
 *
 * @example
 * ```ts ignore
 * const svg = streamChart(await benchStream(cfg, { rates: [100] }));
 * ```
 */
export function streamChart(r: StreamBenchResult): string {
  const bars = r.rates.flatMap((x) => {
    const l = x.latency;
    if (!l) return [];
    return quantileBars(
      `${x.rate.toLocaleString("en-US")}/s (${x.achievedRate.toFixed(0)} achieved)`,
      l,
    );
  });
  return barChart({
    title: "Stream: post due to row in Delta, by target rate",
    labels: bars.map(([label]) => label),
    values: bars.map(([, seconds]) => Math.round(seconds * 100) / 100),
    unit: "seconds",
    width: 760,
    barColor: "#0a66c2",
  });
}
