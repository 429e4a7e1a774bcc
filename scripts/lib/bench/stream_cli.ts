/**
 * `deno task bench stream`: the command line of the stream latency benchmark (the `stream` case
 * of scripts/bench.ts): parses options, runs {@linkcode benchStream}, prints the table and
 * writes the JSON result to `<state dir>/bench/stream.json`.
 *
 * @module
 */
import { benchStream, type StreamBenchResult, streamChart } from "./stream.ts";
import { writeBenchResult } from "./result.ts";
import { parseCount, parseFlags, parseNumber } from "../core/cli.ts";
import { loadConfig } from "../core/config.ts";
import { setupStreams } from "../kinesis/streams.ts";
import { table } from "../view/table.ts";

/** Usage line of the stream benchmark. */
export const STREAM_BENCH_USAGE = "deno task bench stream [--rates 10,100,1000] [--seconds S] " +
  "[--warmup S] [--trigger S] [--concurrency N]";

const f = (n: number | undefined, digits = 2) => n === undefined ? "-" : n.toFixed(digits);

/**
 * Prints a result as tables.
 *
 * @example
 * ```ts ignore
 * printStreamBench(await benchStream(cfg));
 * ```
 */
export function printStreamBench(r: StreamBenchResult): void {
  console.log(
    `\nEnd-to-end latency, PutRecord through the API -> row committed in its Delta table ` +
      `(trigger ${r.options.triggerSeconds} s, ${r.options.shards} shard(s) per stream, ` +
      `Spark ${r.host.sparkMaster}, ${r.host.cpus} CPUs), seconds`,
  );
  console.log(table(r.rates.map((x) => ({
    "posts/s": x.rate,
    achieved: x.achievedRate.toFixed(0),
    posts: x.posts,
    records: x.records,
    visible: x.visible,
    failed: x.failed,
    p50: f(x.latency?.p50),
    p95: f(x.latency?.p95),
    p99: f(x.latency?.p99),
    max: f(x.latency?.max),
    "wait p50": f(x.waited?.p50),
    "ack p50": f(x.ack?.p50, 3),
    "ack p99": f(x.ack?.p99, 3),
  }))));
  const mb = r.microBatches.seconds;
  console.log(
    `Micro-batches: ${r.microBatches.count}, each p50 ${f(mb?.p50)} s, p95 ${f(mb?.p95)} s, ` +
      `max ${f(mb?.max)} s`,
  );
  for (const e of r.rates.flatMap((x) => x.errors)) console.log(`! ${e}`);
  if (r.goals.length) {
    console.log("\nGoals");
    console.log(table(r.goals.map((g) => ({ ...g, met: g.met ? "✔ yes" : "✘ no" }))));
  }
}

/**
 * Runs the stream benchmark command line.
 *
 * @example
 * ```ts ignore
 * await runStreamBench(["--rates", "100", "--seconds", "10"]);
 * ```
 */
export async function runStreamBench(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    rates: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    trigger: { type: "string" },
    concurrency: { type: "string" },
  }, STREAM_BENCH_USAGE);
  if (positionals.length) {
    throw new Error(
      `Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${STREAM_BENCH_USAGE}`,
    );
  }
  const rates = values.rates?.split(",").map((r) =>
    parseNumber("rates", r.trim(), { positive: true })!
  );
  const cfg = await loadConfig();
  console.log(
    `Stream latency benchmark on ${cfg.apiUrl} and ${cfg.kinesis.endpoint ?? cfg.region}`,
  );
  // Idempotent and quick when done: the bench also works right after `stack:up`.
  await setupStreams(cfg);
  const dir = `${cfg.stateDir}/bench`;
  await Deno.mkdir(dir, { recursive: true });
  // Every event of the job with the time it came: where each micro-batch spent its time.
  const events = await Deno.open(`${dir}/stream-events.jsonl`, {
    create: true,
    write: true,
    truncate: true,
  });
  const encoder = new TextEncoder();
  const r = await benchStream(cfg, {
    rates,
    seconds: parseNumber("seconds", values.seconds, { positive: true }),
    warmup: parseNumber("warmup", values.warmup, { positive: false }),
    triggerSeconds: parseNumber("trigger", values.trigger, { positive: true }),
    concurrency: values.concurrency === undefined
      ? undefined
      : parseCount("concurrency", values.concurrency, 8, 1),
    onProgress: (m) => console.log(m),
    onJobEvent: (e) =>
      events.writeSync(encoder.encode(JSON.stringify({ at_ms: Date.now(), ...e }) + "\n")),
  }).finally(() => events.close());
  printStreamBench(r);
  const { json, png } = await writeBenchResult(cfg.stateDir, "stream", r, streamChart(r));
  console.log(
    `\nResult written to ${json}, its chart to ${png}, the job's events ` +
      `to ${dir}/stream-events.jsonl ` +
      `(${r.seconds.toFixed(0)} s in all)`,
  );
}
