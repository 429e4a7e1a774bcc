/**
 * What a stream job is told: its options, the JSON the driver reads (checked against
 * scripts/spark/job_keys.json) and the environment it runs in.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { SQL_DIR } from "../core/paths.ts";
import { kinesisClient } from "../kinesis/client.ts";
import { explainKinesisError, openShards } from "../kinesis/streams.ts";
import { missingJobKeys } from "../spark/job_keys.ts";
import { sparkDriverEnv } from "../spark/spawn.ts";
import type { StreamEvent } from "./events.ts";
import type { StreamPaths } from "./paths.ts";

/** Options of {@linkcode startStreamJob}. */
export interface StreamJobOptions {
  /** State base of tables, checkpoints and dead letters (default `<stateDir>/stream`). */
  base?: string;
  /** Seconds between micro-batches (default 1). */
  triggerSeconds?: number;
  /** Where a fresh checkpoint starts: the earliest record (default) or new records only. */
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  /** Report the keys each micro-batch cleaned (the latency benchmark needs them). */
  emitKeys?: boolean;
  /** Report each trigger's progress (Spark's durations outside the batch) as `progress` events. */
  emitProgress?: boolean;
  /** Spark master (default `local[2]`). */
  master?: string;
  /** Extra Spark settings, applied last. */
  sparkConf?: Record<string, string>;
  /** Sees every event as it comes. */
  onEvent?: (e: StreamEvent) => void;
  /** Run the driver and its JVM at this niceness (they yield the CPU to other work). */
  nice?: number;
  /**
   * The small-data JVM settings (C1 JIT only, serial GC) for a job of a few seconds' work. Off
   * by default: a stream job runs for minutes to days, and C2 pays for itself (2 min at 1,000
   * posts/s: p50 2.04 s, p99 4.33 s, against 2.12 s and 5.74 s on C1 alone; docs/benchmarks.md).
   */
  quick?: boolean;
}

/** A shard of a stream as the stream driver reads it. */
export interface JobShard {
  shard_id: string;
  start: string;
  end: string;
}

/** Shards of each stream, for the dead letters' shard (Kinesis routes by partition key hash). */
export async function streamShards(cfg: Config): Promise<Record<Kind, JobShard[]>> {
  const kinesis = kinesisClient(cfg);
  try {
    const out = {} as Record<Kind, JobShard[]>;
    for (const kind of KINDS) {
      const stream = cfg.names.streams[kind];
      try {
        out[kind] = (await openShards(kinesis, stream)).map((s) => ({
          shard_id: s.ShardId!,
          start: s.HashKeyRange!.StartingHashKey!,
          end: s.HashKeyRange!.EndingHashKey!,
        }));
      } catch (e) {
        if ((e as Error).name === "ResourceNotFoundException") {
          throw new Error(
            `Cannot stream from ${stream}: the stream does not exist; create it with ` +
              "`deno task setup-streams`",
          );
        }
        throw explainKinesisError(cfg, e);
      }
    }
    return out;
  } finally {
    kinesis.destroy();
  }
}

/**
 * The JSON the stream driver reads (scripts/spark/stream_job.py); throws naming what is missing
 * when it lacks a key scripts/spark/job_keys.json requires.
 */
export function streamJobConfig(
  cfg: Config,
  parts: {
    jars: string[];
    paths: StreamPaths;
    shards: Record<Kind, JobShard[]>;
    opts: StreamJobOptions;
  },
) {
  const job = {
    jars: parts.jars,
    master: parts.opts.master ?? "local[2]",
    driver_memory: "1g",
    quick: parts.opts.quick ?? false,
    sql_dir: SQL_DIR,
    kinds: KINDS,
    streams: cfg.names.streams,
    tables: parts.paths.tables,
    dead_letter: parts.paths.deadLetter,
    shards: parts.shards,
    kinesis: {
      endpoint: cfg.kinesis.endpoint ?? `https://kinesis.${cfg.region}.amazonaws.com`,
      local_credentials: cfg.kinesis.endpoint !== undefined,
    },
    starting_position: parts.opts.startingPosition ?? "TRIM_HORIZON",
    trigger_seconds: parts.opts.triggerSeconds ?? 1,
    emit_keys: parts.opts.emitKeys ?? false,
    emit_progress: parts.opts.emitProgress ?? false,
    spark_conf: {
      // Streaming ignores adaptive execution and warns at every start.
      "spark.sql.adaptive.enabled": "false",
      // Micro-batches are small: one shuffle partition, one partition for Delta's log replay;
      // each saves tasks the 2 cores pay for every batch.
      "spark.sql.shuffle.partitions": "1",
      "spark.databricks.delta.snapshotPartitions": "1",
      // No per-file min/max statistics: nothing reads these tables by a selective filter, and
      // collecting them was a fifth of each append (0.09-0.13 s of 0.17-0.37 s).
      "spark.databricks.delta.stats.collect": "false",
      ...parts.opts.sparkConf,
    },
  };
  const missing = missingJobKeys(job);
  if (missing.length) throw new Error(`Cannot run the stream job: it needs ${missing.join(", ")}`);
  return job;
}

/**
 * The environment of the stream driver: the Spark driver's, the region, and AWS credentials from
 * `host` except against a local Kinesis, whose stand-in takes any and speaks JSON only.
 *
 * @example
 * ```ts ignore
 * import { streamDriverEnv } from "./config.ts";
 * const env = streamDriverEnv(cfg, "/jvm17", "/venv/bin/python", { AWS_PROFILE: "x" });
 * env.AWS_CBOR_DISABLE; // "true" on the local profile
 * ```
 */
export function streamDriverEnv(
  cfg: Config,
  javaHome: string,
  python: string,
  host: Record<string, string | undefined> = Deno.env.toObject(),
): Record<string, string> {
  const local = cfg.kinesis.endpoint !== undefined;
  const env: Record<string, string> = {
    ...sparkDriverEnv(javaHome, python),
    AWS_REGION: cfg.region,
  };
  // The connector's AWS SDK v1 speaks CBOR to Kinesis; kinesalite's CBOR answers to GetRecords
  // carry Data as a text string, which the SDK's parser refuses ("Current token (VALUE_STRING)
  // not VALUE_EMBEDDED_OBJECT"; kinesis-mock did the same), so plain JSON it is.
  if (local) env.AWS_CBOR_DISABLE = "true";
  for (const k of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
    const v = host[k];
    if (v && !local) env[k] = v;
  }
  return env;
}
