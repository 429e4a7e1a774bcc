/**
 * Runs the Spark stream job (`scripts/spark/stream_job.py`): Kinesis -> sql/clean -> Delta, one
 * streaming query and one checkpoint per table. The job runs in the background; this module
 * starts it, reads its JSON-lines events, asks it for table snapshots over stdin, stops it
 * gracefully (the micro-batch in flight finishes) and, for crash tests, kills it outright.
 *
 * @module
 */
import { textLines } from "../core/lines.ts";
import type { Config } from "../core/config.ts";
import { kinesisClient } from "../kinesis/client.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { sparkDriverEnv, spawnDriver } from "../spark/driver.ts";
import { SPARK_DRIVERS_DIR, SQL_DIR } from "../core/paths.ts";
import { java17Home } from "../stack/preconditions.ts";
import { requireInstalled } from "../stack/guard.ts";
import { missingJobKeys } from "../spark/job_keys.ts";
import type { StackContext } from "../stack/component.ts";
import { spark, sparkPaths } from "../stack/services/spark.ts";
import { sparkKinesis, sparkKinesisJar } from "../stack/services/spark_kinesis.ts";
import { explainKinesisError, openShards } from "../kinesis/streams.ts";
import { sleep } from "../core/time.ts";

/** What this module runs (checked by its guard and by needs_test.ts). */
export const RUNS = [spark, sparkKinesis];

/** The stream driver, beside the batch driver it shares code with. */
export const STREAM_DRIVER = `${SPARK_DRIVERS_DIR}/stream_job.py`;

/** Where one stream job keeps its tables, checkpoints and dead letters. */
export interface StreamPaths {
  base: string;
  tables: Record<Kind, { name: string; path: string; checkpoint: string }>;
  /** Dead-letter directory per kind: `<base>/dead_letter/<stream>`. */
  deadLetter: Record<Kind, string>;
}

/**
 * The layout under `base` (default `<stateDir>/stream`): `delta/<table>`,
 * `checkpoints/<table>` (one per table) and `dead_letter/<stream>`.
 *
 * @example
 * ```ts
 * streamPaths(cfg).tables.pin.path; // "/repo/.state/stream/delta/0a1b2c3d4e5f_pin_table"
 * ```
 */
export function streamPaths(cfg: Config, base = `${cfg.stateDir}/stream`): StreamPaths {
  const per = <T>(f: (k: Kind) => T) =>
    Object.fromEntries(KINDS.map((k) => [k, f(k)])) as Record<Kind, T>;
  return {
    base,
    tables: per((k) => ({
      name: cfg.names.streamTables[k],
      path: `${base}/delta/${cfg.names.streamTables[k]}`,
      checkpoint: `${base}/checkpoints/${cfg.names.streamTables[k]}`,
    })),
    deadLetter: per((k) => `${base}/dead_letter/${cfg.names.streams[k]}`),
  };
}

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
}

/** One micro-batch written to a table. */
export interface BatchEvent {
  event: "batch";
  kind: Kind;
  table: string;
  batch_id: number;
  rows_in: number;
  dead_letters: number;
  inserted: number | null;
  seconds: number;
  /** Epoch ms when the job was handed the micro-batch (its Kinesis read starts then). */
  started_ms: number;
  /** Epoch ms when the Delta commit returned: the rows are visible from then on. */
  committed_ms: number;
  /** Cleaned keys (`ind`), with `emitKeys`. */
  keys?: number[];
}

/** Spark's progress report of one trigger (`emitProgress`): durations in ms by phase. */
export interface ProgressEvent {
  event: "progress";
  kind: Kind;
  batch_id: number;
  rows: number;
  /** ISO start of the trigger. */
  timestamp: string;
  duration_ms: Record<string, number>;
}

/** One table as a snapshot reads it. */
export interface TableSnapshot {
  table: string;
  count: number;
  columns: string[];
  types: string[];
  rows?: Record<string, unknown>[];
}

/** Everything the driver prints on stdout. */
export type StreamEvent =
  | { event: "start"; spark: string; master: string }
  | { event: "step"; step: string; seconds: number }
  | { event: "ready"; queries: Record<Kind, string>; seconds: number }
  | BatchEvent
  | ProgressEvent
  | { event: "snapshot"; id: string; tables: Record<Kind, TableSnapshot> }
  | { event: "warning"; message: string }
  | { event: "stopping" }
  | { event: "stopped"; seconds: number }
  | { event: "error"; message: string; unexpected?: boolean };

/** How a job ended. */
export interface StreamJobEnd {
  code: number;
  /** The driver's own error message, if it reported one. */
  error?: string;
  /** True when it stopped after a `stopped` event (graceful). */
  graceful: boolean;
}

/** A running stream job. */
export interface StreamJob {
  /** Pid of the Python driver; the JVM is its child. */
  pid: number;
  paths: StreamPaths;
  logFile: string;
  /** Resolves when every query runs; rejects if the job ends first. */
  ready: Promise<void>;
  /** Resolves when the driver process ends. */
  ended: Promise<StreamJobEnd>;
  /** Reads the Delta tables (counts, and rows with `rows`). */
  snapshot(
    opts?: { rows?: boolean; timeoutSeconds?: number },
  ): Promise<Record<Kind, TableSnapshot>>;
  /** Asks the job to stop after the micro-batch in flight; SIGKILLs after `timeoutSeconds`. */
  stop(timeoutSeconds?: number): Promise<StreamJobEnd>;
  /** SIGKILLs the JVM and the driver at once, like a crash (tests). */
  kill(): Promise<void>;
}

/**
 * Parses one stdout line of the driver: an event, or undefined for anything else.
 *
 * @example
 * ```ts
 * parseStreamEvent('{"event": "stopping"}'); // { event: "stopping" }
 * parseStreamEvent("Setting default log level"); // undefined
 * ```
 */
export function parseStreamEvent(line: string): StreamEvent | undefined {
  if (!line.startsWith('{"event"')) return undefined;
  try {
    return JSON.parse(line) as StreamEvent;
  } catch {
    return undefined;
  }
}

/** Pids of the children of `pid` (the JVM of a PySpark driver). */
async function childPids(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(pid)] })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").map((s) => Number(s.trim()))
    .filter((n) => n > 0);
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Shards of each stream, for the dead letters' shard (Kinesis routes by partition key hash). */
/** A shard of a stream as the stream driver reads it. */
export interface JobShard {
  shard_id: string;
  start: string;
  end: string;
}

async function streamShards(cfg: Config) {
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
    quick: true,
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
 * Starts the stream job in the background. Await `job.ready` before relying on it, and
 * `job.stop()` to end it.
 *
 * @example
 * ```ts
 * const job = await startStreamJob(ctx, { onEvent: (e) => console.log(e) });
 * await job.ready;
 * const tables = await job.snapshot();
 * tables.pin.count;
 * await job.stop();
 * ```
 */
export async function startStreamJob(
  ctx: StackContext,
  opts: StreamJobOptions = {},
): Promise<StreamJob> {
  const { cfg } = ctx;
  await requireInstalled(ctx, RUNS, "the stream job");
  const paths = streamPaths(cfg, opts.base);
  const shards = await streamShards(cfg);
  await Deno.mkdir(paths.base, { recursive: true });
  const local = cfg.kinesis.endpoint !== undefined;
  const job = streamJobConfig(cfg, {
    jars: [...sparkPaths(ctx).jars, sparkKinesisJar(ctx)],
    paths,
    shards,
    opts,
  });
  const configFile = `${paths.base}/job.json`;
  await Deno.writeTextFile(configFile, JSON.stringify(job, null, 2) + "\n");

  const javaHome = await java17Home();
  const python = sparkPaths(ctx).python;
  const env: Record<string, string> = {
    ...sparkDriverEnv(javaHome, python),
    AWS_REGION: cfg.region,
  };
  // The connector's AWS SDK v1 speaks CBOR to Kinesis; kinesalite's CBOR answers to GetRecords
  // carry Data as a text string, which the SDK's parser refuses ("Current token (VALUE_STRING)
  // not VALUE_EMBEDDED_OBJECT"; kinesis-mock did the same), so plain JSON it is.
  if (local) env.AWS_CBOR_DISABLE = "true";
  for (const k of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
    const v = Deno.env.get(k);
    if (v && !(local && k.startsWith("AWS_") && k !== "AWS_REGION")) env[k] = v;
  }
  const logFile = ctx.log("spark-stream.log");
  const { child, log, writeLog } = await spawnDriver(
    python,
    [STREAM_DRIVER, "--config", configFile],
    env,
    logFile,
    configFile,
  );
  const encoder = new TextEncoder();
  const stdin = child.stdin.getWriter();
  let stdinOpen = true;
  let error: string | undefined;
  const send = async (cmd: Record<string, unknown>) => {
    const gone = () =>
      new Error(`The stream job has ended${error ? `: ${error}` : ""}; see ${logFile}`);
    if (!stdinOpen) throw gone();
    try {
      await stdin.write(encoder.encode(JSON.stringify(cmd) + "\n"));
    } catch {
      // The driver exited between two commands: say why rather than "broken pipe".
      await ended.catch(() => {});
      throw gone();
    }
  };

  const ready = Promise.withResolvers<void>();
  const waiting = new Map<string, (e: Record<Kind, TableSnapshot>) => void>();
  const tail: string[] = [];
  let stopped = false;
  const readStdout = (async () => {
    for await (const line of textLines(child.stdout)) {
      const e = parseStreamEvent(line);
      if (!e) {
        writeLog(line);
        continue;
      }
      if (e.event === "ready") ready.resolve();
      else if (e.event === "error") error = e.message;
      else if (e.event === "stopped") stopped = true;
      else if (e.event === "snapshot") {
        waiting.get(e.id)?.(e.tables);
        waiting.delete(e.id);
      }
      opts.onEvent?.(e);
    }
  })();
  const readStderr = (async () => {
    for await (const line of textLines(child.stderr)) {
      writeLog(line);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  })();
  const ended = (async (): Promise<StreamJobEnd> => {
    const [status] = await Promise.all([child.status, readStdout, readStderr]);
    stdinOpen = false;
    await stdin.close().catch(() => {});
    log.close();
    const end = { code: status.code, error, graceful: stopped && status.success };
    if (!stopped) {
      ready.reject(
        new Error(
          error ??
            `The stream job exited with code ${status.code} before it was ready; see ${logFile}. ` +
              `Last lines:\n${tail.join("\n")}`,
        ),
      );
    }
    return end;
  })();
  ready.promise.catch(() => {});
  const kill = async () => {
    // The JVM first: killing the driver first would let the JVM notice and shut down cleanly.
    for (const pid of await childPids(child.pid)) signal(pid, "SIGKILL");
    signal(child.pid, "SIGKILL");
    await ended;
  };

  return {
    pid: child.pid,
    paths,
    logFile,
    ready: ready.promise,
    ended,
    async snapshot(o = {}) {
      const id = crypto.randomUUID();
      const answer = new Promise<Record<Kind, TableSnapshot>>((resolve) =>
        waiting.set(id, resolve)
      );
      await send({ cmd: "snapshot", id, rows: o.rows ?? false });
      const timeout = (o.timeoutSeconds ?? 120) * 1000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const failed = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`The stream job did not answer a snapshot in ${timeout / 1000} s`)),
          timeout,
        );
        ended.then((e) =>
          reject(new Error(`The stream job ended (code ${e.code}) before answering a snapshot`))
        );
      });
      try {
        return await Promise.race([answer, failed]);
      } finally {
        clearTimeout(timer);
        waiting.delete(id);
      }
    },
    async stop(timeoutSeconds = 60) {
      if (stdinOpen) await send({ cmd: "stop" }).catch(() => {});
      const timer = setTimeout(() => kill(), timeoutSeconds * 1000);
      try {
        return await ended;
      } finally {
        clearTimeout(timer);
      }
    },
    kill,
  };
}

/** One dead-lettered record, as the job writes it. */
export interface DeadLetter {
  stream: string;
  shard: string | null;
  sequence_number: string;
  partition_key: string;
  approximate_arrival: string | null;
  reason: string;
  data_base64: string;
  table: string;
  batch_id: number;
  dead_lettered_at: string;
}

/**
 * Reads every dead letter of a kind (all `batch-*.jsonl` files of its stream's directory).
 *
 * @example
 * ```ts
 * const letters = await readDeadLetters(streamPaths(cfg), "pin");
 * atob(letters[0].data_base64); // the record's raw bytes
 * ```
 */
export async function readDeadLetters(paths: StreamPaths, kind: Kind): Promise<DeadLetter[]> {
  const dir = paths.deadLetter[kind];
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.startsWith("batch-") && e.name.endsWith(".jsonl")) files.push(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: DeadLetter[] = [];
  for (const f of files.sort()) {
    for (const line of (await Deno.readTextFile(`${dir}/${f}`)).split("\n")) {
      if (line.trim()) out.push(JSON.parse(line));
    }
  }
  return out;
}

/**
 * Waits until the job has caught up: the row counts of every table stay the same for
 * `quietSeconds` (default 3). Resolves to those counts; throws after `timeoutSeconds` (120).
 *
 * @example
 * ```ts
 * const counts = await waitUntilIdle(job); // the backlog of the streams is in the tables
 * ```
 */
export async function waitUntilIdle(
  job: StreamJob,
  opts: { quietSeconds?: number; timeoutSeconds?: number } = {},
): Promise<Record<Kind, number>> {
  const quiet = (opts.quietSeconds ?? 3) * 1000;
  const deadline = Date.now() + (opts.timeoutSeconds ?? 120) * 1000;
  const counts = async () => {
    const s = await job.snapshot();
    return Object.fromEntries(KINDS.map((k) => [k, s[k].count])) as Record<Kind, number>;
  };
  let last = await counts();
  let since = Date.now();
  while (Date.now() - since < quiet) {
    if (Date.now() > deadline) {
      throw new Error(
        `The stream job did not catch up in ${opts.timeoutSeconds ?? 120} s: rows still arriving`,
      );
    }
    await sleep(1000);
    const now = await counts();
    if (KINDS.some((k) => now[k] !== last[k])) [last, since] = [now, Date.now()];
  }
  return last;
}
