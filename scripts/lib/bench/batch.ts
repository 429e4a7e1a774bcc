/**
 * The batch benchmark: clean + every analytics query over 11k, 100k and 1M posts, beside a plain
 * scan of the same raw JSON in the same Spark session (the I/O floor), so the ratio says how far
 * above the floor the work is. Each size runs on each engine, side by side in the same run: in a
 * JVM of its own (`local`, the cold path) and on the warm Spark Connect server (`connect`).
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { benchLake } from "./lake.ts";
import { type BenchEvent } from "../spark/events.ts";
import { runSparkJob, toUri } from "../spark/driver.ts";
import { stackContext } from "../stack/context.ts";
import { progressLine } from "../view/progress.ts";
import { type JvmChoice, jvmForLake } from "../batch/jvm_settings.ts";
import type { SparkEngine } from "../spark/engine.ts";
import { barChart } from "../view/chart.ts";
import { round2 as round } from "./stats.ts";

/** One size of the batch benchmark. */
export interface BatchBenchRow {
  posts: number;
  /** `local`: the job's own JVM; `connect`: the warm Spark Connect server. */
  engine: SparkEngine;
  raw_records: number;
  scan_s: number;
  clean_and_queries_s: number;
  ratio: number;
  /** CPU seconds of the JVM for the scan and for the job: steadier than wall time on a busy host. */
  scan_cpu_s: number;
  clean_and_queries_cpu_s: number;
  cpu_ratio: number;
  spark_total_s: number;
  /** From the driver's start to its end, as the caller waits: process, session, scans, job. */
  wall_s: number;
  /** The JVM settings `deno task batch` picks for this much raw JSON (see lake_size.ts). */
  jvm: JvmChoice["label"];
  /** 1-minute load average when the size finished. */
  load: number;
}

/** Default sizes: the course's ~11k rows, then 100k and 1M posts. */
export const BATCH_BENCH_SIZES = [11_153, 100_000, 1_000_000];

/**
 * Runs the batch benchmark for each size on each engine, one after the other; writes the lakes
 * once and caches them. Each run takes the faster of two scans as its floor, so the page cache
 * the first run leaves favours neither.
 */
export async function benchBatch(
  cfg: Config,
  sizes = BATCH_BENCH_SIZES,
  seed = 7,
  engines: readonly SparkEngine[] = ["local", "connect"],
): Promise<BatchBenchRow[]> {
  const rows: BatchBenchRow[] = [];
  for (const posts of sizes) {
    const progress = progressLine("records written");
    const lake = await benchLake(cfg, posts, seed, progress.update);
    progress.done();
    for (const engine of engines) rows.push(await benchOne(cfg, lake, posts, engine));
  }
  return rows;
}

async function benchOne(
  cfg: Config,
  lake: string,
  posts: number,
  engine: SparkEngine,
): Promise<BatchBenchRow> {
  const ctx = await stackContext(cfg);
  const where = engine === "local" ? "its own JVM" : "the Spark Connect server";
  console.log(`▶ ${posts} posts on ${where}: scan, clean + queries, scan (one Spark session)`);
  const jvm = await jvmForLake(cfg, toUri(lake));
  // A fresh output directory each time: overwriting the previous run's Delta tables costs
  // reading their logs first, which would make runs unequal.
  const out = `${cfg.stateDir}/bench/batch-out-${posts}`;
  await Deno.remove(out, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  let bench: BenchEvent | undefined;
  const started = performance.now();
  const report = await runSparkJob(ctx, {
    mode: "bench",
    lake: toUri(lake),
    topics: cfg.names.topics,
    out: toUri(out),
    emitRows: 0,
    // The settings `deno task batch` would pick for this lake, so the bench times what runs.
    quick: jvm.quick,
    shufflePartitions: jvm.shufflePartitions,
    engine,
  }, (e) => {
    if (e.event === "bench") bench = e;
  });
  if (!bench) {
    throw new Error(
      `The Spark bench job for ${posts} posts reported no timings; see ${report.logFile}`,
    );
  }
  const wall = (performance.now() - started) / 1000;
  const row: BatchBenchRow = {
    posts,
    engine,
    raw_records: posts * 3,
    scan_s: round(bench.scan_seconds),
    clean_and_queries_s: round(bench.batch_seconds),
    ratio: round(bench.batch_seconds / bench.scan_seconds),
    scan_cpu_s: round(bench.scan_cpu_seconds),
    clean_and_queries_cpu_s: round(bench.batch_cpu_seconds),
    cpu_ratio: bench.scan_cpu_seconds ? round(bench.batch_cpu_seconds / bench.scan_cpu_seconds) : 0,
    spark_total_s: round(report.seconds),
    wall_s: round(wall),
    jvm: jvm.label,
    load: round(Deno.loadavg()[0]),
  };
  console.log(
    `  scan ${row.scan_s} s, clean + queries ${row.clean_and_queries_s} s, ratio ${row.ratio} ` +
      `(CPU ${row.scan_cpu_s} s and ${row.clean_and_queries_cpu_s} s, ratio ${row.cpu_ratio}; ` +
      `${row.jvm} JVM settings; ${row.wall_s} s in all; load ${row.load})`,
  );
  return row;
}

/**
 * The chart of a batch bench: for each size and engine, the floor, the job and the wall time
 * the caller waits, as bars in seconds (an SVG document).
 *
 * @example
 * ```ts
 * import { batchChart } from "./batch.ts";
 * const row = {
 *   posts: 11153, engine: "connect" as const, raw_records: 33459, scan_s: 0.5,
 *   clean_and_queries_s: 6, ratio: 12, scan_cpu_s: 0.5, clean_and_queries_cpu_s: 9, cpu_ratio: 18,
 *   spark_total_s: 7, wall_s: 8, jvm: "small-data" as const, load: 2,
 * };
 * batchChart([row]).startsWith("<svg"); // true
 * ```
 */
export function batchChart(rows: BatchBenchRow[]): string {
  const bars = rows.flatMap((r) => {
    const at = `${r.posts.toLocaleString("en-US")} ${r.engine}`;
    return [
      [`${at}: floor (scan)`, r.scan_s],
      [`${at}: clean + queries`, r.clean_and_queries_s],
      [`${at}: wall, driver start to end`, r.wall_s],
    ] as const;
  });
  return barChart({
    title: "Batch: time per step, own JVM (local) and Spark Connect server (connect)",
    labels: bars.map(([label]) => label),
    values: bars.map(([, seconds]) => seconds),
    unit: "seconds",
    width: 760,
  });
}
