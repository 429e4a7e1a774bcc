/**
 * A batch Spark job: its modes, what a caller asks for, and the JSON the driver reads
 * (checked against scripts/spark/job_keys.json).
 *
 * @module
 */
import type { Kind } from "../core/names.ts";
import { SQL_DIR } from "../core/paths.ts";
import { missingJobKeys } from "./job_keys.ts";
import type { SparkEngine } from "./engine.ts";

/**
 * Modes of the driver. `batch`: clean, write, query in one application. `scan`: only read and
 * count the raw JSON. The DAG's steps, handing over through Delta tables under `out`: `load`
 * snapshots the raw JSON into `delta/raw_<kind>`, `clean` turns those into `delta/<kind>`,
 * `analytics` reads the three cleaned tables and writes every answer.
 */
export const SPARK_MODES = ["batch", "scan", "load", "clean", "analytics", "bench"] as const;
/** One of {@linkcode SPARK_MODES}. */
export type SparkMode = typeof SPARK_MODES[number];

/** What the driver is asked to do; paths are URIs (`file:///...`, `s3a://...`). */
export interface SparkJob {
  /** Default `batch`; see {@linkcode SPARK_MODES}. */
  mode?: SparkMode;
  /** Base holding `<topic>/partition=*\/*.json`, e.g. `s3a://user-x-bucket/topics`. */
  lake: string;
  /** Topic directory per kind, e.g. `{ pin: "x.pin", ... }`. */
  topics: Record<Kind, string>;
  /** Only these kinds (modes `load` and `clean`); all by default. */
  kinds?: Kind[];
  /** Output base of `delta/<table>` and `<query>.csv` (every mode but scan). */
  out?: string;
  /** s3a settings; the keys go to the driver through its environment, never its arguments. */
  s3?: { endpoint: string; pathStyle: boolean; accessKeyId: string; secretAccessKey: string };
  /** Only these analytics queries (file names without `.sql`, none if empty); all by default. */
  queries?: string[];
  /**
   * Also write each answer as a Delta table `delta/<query>` beside its CSV file (default false:
   * one Delta commit per question costs more than the ten queries themselves).
   */
  answerTables?: boolean;
  /** Rows of each table sent back in `table` events (default 100). */
  emitRows?: number;
  /** Spark master (default `local[2]`). */
  master?: string;
  /**
   * Tune the JVM for short jobs on small data (C1 JIT only, serial GC, no whole-stage code
   * generation): three times faster on the ~11k posts of the course. Default true; turn it off
   * for large data, where compiled code pays for itself.
   */
  quick?: boolean;
  /** Shuffle partitions of the session (default 4; `deno task batch` sizes them by the lake). */
  shufflePartitions?: number;
  /** Extra Spark settings, applied last. */
  sparkConf?: Record<string, string>;
  /** Where it runs (default: PIPELINE_SPARK_ENGINE, else auto: the server if it is up). */
  engine?: SparkEngine;
}

/** The Spark Connect server a job runs on: its URL, and its JVM's pid (the bench's CPU time). */
export interface RemoteSession {
  url: string;
  pid: number;
}

/**
 * The JSON the batch driver reads for a job (secrets stay out: s3a keys go in the environment).
 * Throws naming what is missing when it lacks a key scripts/spark/job_keys.json requires.
 *
 * @example
 * ```ts
 * import { batchJobConfig } from "./job.ts";
 * const job = { mode: "clean" as const, lake: "", topics: { pin: "", geo: "", user: "" } };
 * batchJobConfig({ ...job, out: "file:///tmp/batch" }, []).sql_dir.endsWith("/sql"); // true
 * ```
 */
export function batchJobConfig(job: SparkJob, jars: string[], remote?: RemoteSession) {
  const config = {
    mode: job.mode ?? "batch",
    lake: job.lake,
    topics: job.topics,
    kinds: job.kinds,
    out: job.out,
    sql_dir: SQL_DIR,
    jars,
    master: job.master ?? "local[2]",
    emit_rows: job.emitRows ?? 100,
    queries: job.queries,
    answer_tables: job.answerTables ?? false,
    quick: job.quick ?? true,
    shuffle_partitions: job.shufflePartitions ?? 4,
    spark_conf: job.sparkConf ?? {},
    s3: job.s3 && { endpoint: job.s3.endpoint, path_style: job.s3.pathStyle },
    remote: remote?.url,
    server_pid: remote?.pid,
  };
  const missing = missingJobKeys(config);
  if (missing.length) {
    throw new Error(`Cannot run the Spark ${config.mode} job: it needs ${missing.join(", ")}`);
  }
  return config;
}
