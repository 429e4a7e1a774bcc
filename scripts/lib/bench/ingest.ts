/**
 * The ingest benchmark: posts per second through the API into Kafka (acknowledged) at several
 * batch sizes, the same rows written straight to the topics by a kafkajs producer as the
 * baseline, and the latency from send to visible in the lake.
 *
 * Both throughput paths read their rows from the source database per batch, with the same seed
 * and so the same keys, so the only difference between them is the transport: API gateway and
 * REST proxy (two HTTP hops) against one kafkajs producer. Before each run the bench waits until
 * the S3 sink has caught up, so no run pays for the backlog of the one before.
 *
 * @module
 */
import { quantileBars, type Summary } from "./stats.ts";
import { type LandingResult, measureLanding } from "./landing.ts";
import { type CatchUpResult, waitForLakeCatchUp } from "../lake/watch.ts";
import type { Config } from "../core/config.ts";
import { emulate } from "../emulator/emulator.ts";
import { kafkaClient } from "../kafka/client.ts";
import { KINDS } from "../core/names.ts";
import { Rng } from "../core/rng.ts";
import { SourcePosts } from "../source/posts.ts";
import { explainKafkaError } from "../kafka/topics.ts";
import { barChart } from "../view/chart.ts";

/** The bench's own seed, so its rows differ from the pipeline's default runs (seed 1). */
export const BENCH_SEED = 0xbe4c;
/** The emulator's key stream (emulator.ts): the raw baseline draws the very keys it drew. */
const POST_STREAM = 0x706f7374;

/** Goals of the ingest path (issue "Batch ingestion"). */
export const INGEST_GOALS = {
  /** Posts per second through the API with batching. */
  apiPostsPerSecond: 5000,
  /** API rate as a share of the raw kafkajs rate, same batch. */
  apiShareOfRaw: 0.4,
  /** Seconds from send to visible in the lake, p95. */
  landingP95Seconds: 10,
};

/** One progress line of the bench. */
export interface PhaseProgress {
  update(done: number, total?: number, extra?: string): void;
  done(): void;
}

/** Options of {@linkcode benchIngest}. */
export interface IngestBenchOptions {
  /** Measured seconds of each throughput run (default 10). */
  seconds?: number;
  /** Seconds of warm-up before each throughput run (default 2). */
  warmup?: number;
  /** Batches in flight at once, on both paths (default 8). */
  concurrency?: number;
  /** Posts per request (API) and records per send (raw) (default [1, 100]). */
  batches?: number[];
  /** Posts per second of the landing run (default 50). */
  landingRate?: number;
  /** Seconds of the landing run (default 20). */
  landingSeconds?: number;
  /** Seed of the row choice (default {@linkcode BENCH_SEED}). */
  seed?: number;
  /** Longest wait for the S3 sink to catch up before a run, ms (default 180 s). */
  catchUpTimeoutMs?: number;
  /** Starts a progress line for a phase; `unit` is what `done` counts. */
  phase?: (title: string, unit: string) => PhaseProgress;
}

/** One throughput run. */
export interface ThroughputResult {
  path: "api" | "raw";
  batch: number;
  concurrency: number;
  /** Acknowledged posts (one record on each of the three topics). */
  posts: number;
  failed: number;
  seconds: number;
  postsPerSecond: number;
  recordsPerSecond: number;
  /** How long the S3 sink took to catch up before this run, and with how many records. */
  sinkCatchUp: CatchUpResult;
  errors: string[];
}

/** A goal and whether the run met it. */
export interface GoalCheck {
  goal: string;
  target: string;
  measured: string;
  met: boolean;
}

/** Everything {@linkcode benchIngest} measured; written as JSON by `deno task bench ingest`. */
export interface IngestBenchResult {
  bench: "ingest";
  startedAt: string;
  seconds: number;
  host: { cpus: number; os: string; deno: string };
  setup: { profile: string; apiUrl: string; brokers: string[]; partitions: number };
  options: Required<Omit<IngestBenchOptions, "phase">>;
  throughput: ThroughputResult[];
  /** API posts/s over raw posts/s, per batch. */
  apiShareOfRaw: { batch: number; share: number }[];
  landingCatchUp: CatchUpResult;
  landing: LandingResult;
  goals: GoalCheck[];
}

const noProgress: PhaseProgress = { update() {}, done() {} };

async function lakeCaughtUp(
  cfg: Config,
  o: Required<Omit<IngestBenchOptions, "phase">>,
  phase: IngestBenchOptions["phase"],
): Promise<CatchUpResult> {
  const p = phase?.("Waiting for the S3 sink to catch up", "records landed") ?? noProgress;
  let backlog: number | undefined;
  try {
    return await waitForLakeCatchUp(cfg, o.catchUpTimeoutMs, (remaining) => {
      backlog ??= remaining;
      p.update(backlog - remaining, backlog);
    });
  } finally {
    p.done();
  }
}

async function apiRun(
  cfg: Config,
  batch: number,
  o: Required<Omit<IngestBenchOptions, "phase">>,
  phase: (what: string) => PhaseProgress,
): Promise<Omit<ThroughputResult, "sinkCatchUp">> {
  const common = { rate: 0, batch, concurrency: o.concurrency, seed: o.seed, keepKeys: false };
  const run = async (duration: number, what: string) => {
    const progress = phase(what);
    try {
      return await emulate(cfg, {
        ...common,
        duration,
        onProgress: (p) => progress.update(p.acknowledged, undefined, `${p.failed} failed`),
      });
    } finally {
      progress.done();
    }
  };
  await run(o.warmup, `warm-up ${o.warmup} s`);
  const s = await run(o.seconds, `measuring ${o.seconds} s`);
  return {
    path: "api",
    batch,
    concurrency: o.concurrency,
    posts: s.acknowledged,
    failed: s.failed,
    seconds: s.seconds,
    postsPerSecond: s.postsPerSecond,
    recordsPerSecond: s.postsPerSecond * KINDS.length,
    errors: s.errors,
  };
}

/**
 * Writes posts straight to the topics with one kafkajs producer, `concurrency` batches in
 * flight, each batch one send of `batch` records per topic with acks from all replicas, like
 * the REST proxy's sends. Rows come from the source the way the emulator reads them.
 */
async function rawRun(
  cfg: Config,
  batch: number,
  o: Required<Omit<IngestBenchOptions, "phase">>,
  phase: (what: string) => PhaseProgress,
): Promise<Omit<ThroughputResult, "sinkCatchUp">> {
  const source = await SourcePosts.open(cfg, { connections: Math.min(o.concurrency, 8) });
  const producer = kafkaClient(cfg, "bench-raw", { quiet: true }).producer({
    allowAutoTopicCreation: false,
  });
  try {
    await producer.connect();
  } catch (e) {
    await source.close();
    throw explainKafkaError(cfg, e);
  }
  const errors = new Set<string>();
  const run = async (seconds: number, what: string) => {
    const progress = phase(what);
    const pick = new Rng(o.seed, POST_STREAM);
    const started = performance.now();
    const deadline = started + seconds * 1000;
    let posts = 0, failed = 0;
    const worker = async () => {
      while (performance.now() < deadline) {
        const keys = Array.from({ length: batch }, () => pick.int(source.min, source.max));
        const found = await source.read(keys);
        const rows = keys.map((k) => found.get(k)).filter((p) => p !== undefined);
        const sends = await Promise.allSettled(KINDS.map((kind) =>
          producer.send({
            topic: cfg.names.topics[kind],
            acks: -1,
            messages: rows.map((r) => ({ value: JSON.stringify(r[kind]) })),
          })
        ));
        const rejected = sends.filter((s) => s.status === "rejected");
        if (rejected.length) {
          failed += rows.length;
          for (const r of rejected) {
            errors.add(((r as PromiseRejectedResult).reason as Error).message);
          }
        } else posts += rows.length;
        progress.update(posts, undefined, `${failed} failed`);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker)).finally(progress.done);
    return { posts, failed, seconds: (performance.now() - started) / 1000 };
  };
  try {
    await run(o.warmup, `warm-up ${o.warmup} s`);
    const r = await run(o.seconds, `measuring ${o.seconds} s`);
    const postsPerSecond = r.posts / r.seconds;
    return {
      path: "raw",
      batch,
      concurrency: o.concurrency,
      ...r,
      postsPerSecond,
      recordsPerSecond: postsPerSecond * KINDS.length,
      errors: [...errors].slice(0, 10),
    };
  } finally {
    await producer.disconnect().catch(() => {});
    await source.close();
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** Checks a result against {@linkcode INGEST_GOALS}, at the largest batch measured. */
export function checkGoals(
  throughput: ThroughputResult[],
  landing: Summary | undefined,
): GoalCheck[] {
  const batch = Math.max(...throughput.map((t) => t.batch));
  const api = throughput.find((t) => t.path === "api" && t.batch === batch);
  const raw = throughput.find((t) => t.path === "raw" && t.batch === batch);
  const g = INGEST_GOALS;
  const checks: GoalCheck[] = [];
  if (api) {
    checks.push({
      goal: `posts/s through the API, batch ${batch}`,
      target: `>= ${fmt(g.apiPostsPerSecond)} (${
        fmt(g.apiPostsPerSecond * KINDS.length)
      } records/s)`,
      measured: `${fmt(api.postsPerSecond)} (${fmt(api.recordsPerSecond)} records/s)`,
      met: api.postsPerSecond >= g.apiPostsPerSecond,
    });
  }
  if (api && raw) {
    const share = api.postsPerSecond / raw.postsPerSecond;
    checks.push({
      goal: `API rate / raw kafkajs rate, batch ${batch}`,
      target: `>= ${fmt(100 * g.apiShareOfRaw)}%`,
      measured: `${fmt(100 * share, 1)}%`,
      met: share >= g.apiShareOfRaw,
    });
  }
  checks.push({
    goal: "lake landing latency p95",
    target: `<= ${g.landingP95Seconds} s`,
    measured: landing ? `${fmt(landing.p95, 2)} s` : "nothing landed",
    met: landing !== undefined && landing.p95 <= g.landingP95Seconds,
  });
  return checks;
}

/**
 * Runs the ingest benchmark against the running stack: for each batch size an API run and a
 * raw kafkajs run, then the landing run. The topics and the S3 sink must exist.
 *
 * @example
 * ```ts ignore
 * const r = await benchIngest(cfg, { seconds: 10 });
 * r.apiShareOfRaw; // [{ batch: 1, share: ... }, { batch: 100, share: ... }]
 * ```
 */
export async function benchIngest(
  cfg: Config,
  opts: IngestBenchOptions = {},
): Promise<IngestBenchResult> {
  const o = {
    seconds: opts.seconds ?? 10,
    warmup: opts.warmup ?? 2,
    concurrency: opts.concurrency ?? 8,
    batches: opts.batches ?? [1, 100],
    landingRate: opts.landingRate ?? 50,
    landingSeconds: opts.landingSeconds ?? 20,
    seed: opts.seed ?? BENCH_SEED,
    catchUpTimeoutMs: opts.catchUpTimeoutMs ?? 180_000,
  };
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const throughput: ThroughputResult[] = [];
  for (const batch of o.batches) {
    for (const path of ["api", "raw"] as const) {
      const sinkCatchUp = await lakeCaughtUp(cfg, o, opts.phase);
      const title = path === "api"
        ? `API (emulate, batch ${batch}, concurrency ${o.concurrency})`
        : `raw kafkajs (batch ${batch}, concurrency ${o.concurrency})`;
      const phase = (what: string) => opts.phase?.(`${title}: ${what}`, "posts") ?? noProgress;
      const r = path === "api"
        ? await apiRun(cfg, batch, o, phase)
        : await rawRun(cfg, batch, o, phase);
      throughput.push({ ...r, sinkCatchUp });
    }
  }
  const apiShareOfRaw = o.batches.map((batch) => {
    const api = throughput.find((t) => t.path === "api" && t.batch === batch)!;
    const raw = throughput.find((t) => t.path === "raw" && t.batch === batch)!;
    return { batch, share: raw.postsPerSecond > 0 ? api.postsPerSecond / raw.postsPerSecond : 0 };
  });

  const landingCatchUp = await lakeCaughtUp(cfg, o, opts.phase);
  const lp = opts.phase?.(
    `Landing: ${o.landingRate} posts/s for ${o.landingSeconds} s through the API, polling the lake`,
    "records visible",
  ) ?? noProgress;
  let landing: LandingResult;
  try {
    landing = await measureLanding(cfg, {
      rate: o.landingRate,
      seconds: o.landingSeconds,
      seed: o.seed,
      onProgress: (p) =>
        lp.update(p.visible, undefined, `${p.sent} sent, ${p.acknowledged} acknowledged`),
    });
  } finally {
    lp.done();
  }
  return {
    bench: "ingest",
    startedAt,
    seconds: (performance.now() - started) / 1000,
    host: { cpus: navigator.hardwareConcurrency, os: Deno.build.os, deno: Deno.version.deno },
    setup: {
      profile: cfg.profile,
      apiUrl: cfg.apiUrl,
      brokers: cfg.kafka.brokers,
      partitions: cfg.kafka.partitions,
    },
    options: o,
    throughput,
    apiShareOfRaw,
    landingCatchUp,
    landing,
    goals: checkGoals(throughput, landing.landing),
  };
}

/**
 * The ingest bench's chart (SVG): the latency distribution of the lake-landing run, from send to
 * the API's acknowledgement and from send to the record's object in the lake.
 *
 * @example
 * ```ts
 * import { ingestChart } from "./ingest.ts";
 * const s = { count: 2, min: 0.1, mean: 0.2, p50: 0.2, p95: 0.3, p99: 0.3, max: 0.3 };
 * const landing = { rate: 50, seconds: 20, pollMs: 250, records: 2, acknowledged: 2, visible: 2 };
 * ingestChart({ landing: { ...landing, ack: s, landing: s, errors: [] } }).startsWith("<svg"); // true
 * ```
 */
export function ingestChart(r: Pick<IngestBenchResult, "landing">): string {
  const l = r.landing;
  const bars = [
    ...(l.ack ? quantileBars("acknowledged", l.ack) : []),
    ...(l.landing ? quantileBars("in the lake", l.landing) : []),
  ];
  return barChart({
    title: `Ingest: seconds from send, ${l.rate} posts/s for ${l.seconds} s through the API`,
    labels: bars.map(([label]) => label),
    values: bars.map(([, seconds]) => Math.round(seconds * 1000) / 1000),
    unit: "seconds",
    width: 760,
    barColor: "#e60023",
  });
}
