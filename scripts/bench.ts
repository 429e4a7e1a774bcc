/**
 * `deno task bench <name> [options]`: benchmarks of the running local stack. Each prints a table
 * and writes its full result as JSON to `<state dir>/bench/<name>.json`.
 *
 * @module
 */
import {
  BENCH_SEED,
  benchIngest,
  type IngestBenchResult,
  ingestChart,
  type PhaseProgress,
} from "./lib/bench/ingest.ts";
import { runStreamBench, STREAM_BENCH_USAGE } from "./lib/bench/stream_cli.ts";
import { main, parseCount, parseFlags, parseNumber } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { setupConnector } from "./lib/lake/connector.ts";
import { progressLine } from "./lib/view/progress.ts";
import { table } from "./lib/view/table.ts";
import { BATCH_BENCH_SIZES, batchChart, benchBatch } from "./lib/bench/batch.ts";
import { benchDag, dagChart } from "./lib/bench/dag.ts";
import { checkBucket } from "./lib/batch/batch.ts";
import { writeBenchResult } from "./lib/bench/result.ts";
import { setupTopics } from "./lib/kafka/topics.ts";
import { installFor } from "./lib/stack/needs.ts";
import { stackContext } from "./lib/stack/context.ts";

const INGEST_USAGE = "deno task bench ingest [--seconds S] [--warmup S] [--concurrency N] " +
  "[--batches 1,100] [--landing-rate R] [--landing-seconds S] [--seed S]";

/** An engine a benchmark runs on: named, never `auto`, so a result says which it measured. */
function benchEngine(flag: string, text: string): "local" | "connect" {
  if (text === "connect" || text === "local") return text;
  throw new Error(`Invalid ${flag} ${JSON.stringify(text)}: use connect or local`);
}

const BATCH_USAGE =
  "deno task bench batch [--sizes 11153,100000,1000000] [--engines local,connect] [--seed S]";

async function batch(args: string[]): Promise<void> {
  const { values } = parseFlags(
    args,
    { sizes: { type: "string" }, engines: { type: "string" }, seed: { type: "string" } },
    BATCH_USAGE,
  );
  const engines = (values.engines?.split(",") ?? ["local", "connect"])
    .map((x) => benchEngine("--engines", x.trim()));
  const sizes = values.sizes?.split(",").map((x) => parseCount("sizes", x.trim(), 0, 1)) ??
    BATCH_BENCH_SIZES;
  const seed = parseCount("seed", values.seed, 7, 0);
  const cfg = await loadConfig();
  const rows = await benchBatch(cfg, sizes, seed, engines);
  console.log(`\n${table(rows.map((r) => ({ ...r })))}`);
  const { json, png } = await writeBenchResult(
    cfg.stateDir,
    "batch",
    { seed, rows },
    batchChart(rows),
  );
  console.log(`\nResult written to ${json}, its chart to ${png}`);
}

const DAG_USAGE = "deno task bench dag [--engine connect|local] [--runs N] [--warmup N]";

async function dag(args: string[]): Promise<void> {
  const { values } = parseFlags(
    args,
    { engine: { type: "string" }, runs: { type: "string" }, warmup: { type: "string" } },
    DAG_USAGE,
  );
  const engine = benchEngine("--engine", values.engine ?? "connect");
  const runs = parseCount("runs", values.runs, 3, 1);
  // A server that has just started needs about ten jobs to be warm; its own JVMs need none.
  const warmup = parseCount("warmup", values.warmup, engine === "connect" ? 3 : 0, 0);
  const ctx = await stackContext(await loadConfig());
  await checkBucket(ctx.cfg, ctx.cfg.names.bucket);
  console.log(
    `▶ ${ctx.cfg.names.dagId} vs deno task batch on the ${engine} engine: ` +
      `${warmup} warm-up batches, then ${runs} turns of one batch and one DAG run`,
  );
  const rows = await benchDag(ctx, { engine, runs, warmup, onLine: console.log });
  const flat = rows.map(({ task_s, ...r }) => ({ ...r, ...prefixed(task_s) }));
  console.log(`\n${table(flat)}`);
  const result = { engine, rows };
  const { json, png } = await writeBenchResult(ctx.cfg.stateDir, "dag", result, dagChart(rows));
  console.log(`\nResult written to ${json}, its chart to ${png}`);
}

function prefixed(taskSeconds: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(taskSeconds).map(([t, s]) => [`${t}_s`, s]));
}

const BENCHES: Record<string, { usage: string; run: (args: string[]) => Promise<void> }> = {
  ingest: { usage: INGEST_USAGE, run: ingest },
  batch: { usage: BATCH_USAGE, run: batch },
  dag: { usage: DAG_USAGE, run: dag },
  stream: { usage: STREAM_BENCH_USAGE, run: runStreamBench },
};

const USAGE = `deno task bench <name> [options]; names: ${Object.keys(BENCHES).join(", ")}`;

const f = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function phase(title: string, unit: string): PhaseProgress {
  console.log(`▶ ${title}`);
  return progressLine(unit);
}

async function ingest(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    seconds: { type: "string" },
    warmup: { type: "string" },
    concurrency: { type: "string" },
    batches: { type: "string" },
    "landing-rate": { type: "string" },
    "landing-seconds": { type: "string" },
    seed: { type: "string" },
  }, INGEST_USAGE);
  if (positionals.length) {
    throw new Error(
      `Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${INGEST_USAGE}`,
    );
  }
  const batches = values.batches?.split(",").map((b) => parseCount("batches", b.trim(), 1, 1));
  const cfg = await loadConfig();
  console.log(`Ingest benchmark on ${cfg.apiUrl} and ${cfg.kafka.brokers.join(",")}`);
  // Idempotent, and cheap when done: the bench then also works right after `stack:up`.
  await setupTopics(cfg);
  await setupConnector(cfg);
  const r = await benchIngest(cfg, {
    seconds: parseNumber("seconds", values.seconds, { positive: true }),
    warmup: parseNumber("warmup", values.warmup, { positive: false }),
    concurrency: values.concurrency === undefined
      ? undefined
      : parseCount("concurrency", values.concurrency, 8, 1),
    batches,
    landingRate: parseNumber("landing-rate", values["landing-rate"], { positive: true }),
    landingSeconds: parseNumber("landing-seconds", values["landing-seconds"], { positive: true }),
    seed: parseCount("seed", values.seed, BENCH_SEED, 0),
    phase,
  });
  printIngest(r);
  const { json, png } = await writeBenchResult(cfg.stateDir, "ingest", r, ingestChart(r));
  console.log(
    `\nResult written to ${json}, its chart to ${png} ` +
      `(${f(r.seconds, 0)} s in all)`,
  );
}

function printIngest(r: IngestBenchResult): void {
  console.log(
    `\nThroughput, ${r.options.seconds} s per run after ${r.options.warmup} s warm-up ` +
      `(${r.host.cpus} CPUs, Kafka partitions: ${r.setup.partitions})`,
  );
  console.log(table(r.throughput.map((t) => ({
    path: t.path === "api" ? "API -> REST proxy -> Kafka" : "kafkajs -> Kafka (raw)",
    batch: t.batch,
    concurrency: t.concurrency,
    posts: f(t.posts),
    failed: t.failed,
    "posts/s": f(t.postsPerSecond),
    "records/s": f(t.recordsPerSecond),
    "API/raw": t.path === "api"
      ? `${f(100 * r.apiShareOfRaw.find((s) => s.batch === t.batch)!.share, 1)}%`
      : "",
    "sink catch-up before": `${f(t.sinkCatchUp.seconds, 1)} s (${
      f(t.sinkCatchUp.backlog)
    } records)`,
  }))));
  const l = r.landing;
  console.log(
    `\nLake landing, ${l.rate} posts/s for ${l.seconds} s through the API (one request per ` +
      `record, lake listed every ${l.pollMs} ms), seconds from send`,
  );
  const row = (what: string, s: typeof l.ack) => ({
    what,
    records: s?.count ?? 0,
    p50: s ? f(s.p50, 3) : "",
    p95: s ? f(s.p95, 3) : "",
    p99: s ? f(s.p99, 3) : "",
    max: s ? f(s.max, 3) : "",
  });
  console.log(table([
    row("acknowledged by the API", l.ack),
    row("visible in the lake", l.landing),
  ]));
  if (l.visible < l.acknowledged || l.acknowledged < l.records) {
    console.log(
      `! ${l.records - l.acknowledged} of ${l.records} records not acknowledged, ` +
        `${l.acknowledged - l.visible} acknowledged but never seen in the lake`,
    );
  }
  for (const e of [...r.throughput.flatMap((t) => t.errors), ...l.errors]) console.log(`! ${e}`);
  console.log("\nGoals");
  console.log(table(r.goals.map((g) => ({ ...g, met: g.met ? "✔ yes" : "✘ no" }))));
}

if (import.meta.main) {
  await main(async () => {
    const [name, ...rest] = Deno.args;
    if (name === undefined || name.startsWith("-")) {
      if (name === "--help" || name === "-h") return console.log(`Usage: ${USAGE}`);
      throw new Error(
        `Missing benchmark name: choose from ${Object.keys(BENCHES).join(", ")}\nUsage: ${USAGE}`,
      );
    }
    const bench = BENCHES[name];
    if (!bench) {
      throw new Error(
        `Unknown benchmark ${JSON.stringify(name)}: choose from ${Object.keys(BENCHES).join(", ")}`,
      );
    }
    if (rest.includes("--help") || rest.includes("-h")) return console.log(`Usage: ${bench.usage}`);
    await installFor(await stackContext(), "bench");
    await bench.run(rest);
  });
}
