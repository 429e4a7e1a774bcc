/**
 * Runs the Spark stream job (`scripts/spark/stream_job.py`): Kinesis -> sql/clean -> Delta, one
 * streaming query and one checkpoint per table. The job runs in the background; this module
 * starts it, asks it for table snapshots, stops it gracefully (the micro-batch in flight
 * finishes) and, for crash tests, kills it outright.
 *
 * @module
 */
import { type Kind, KINDS } from "../core/names.ts";
import { SPARK_DRIVERS_DIR } from "../core/paths.ts";
import { sleep } from "../core/time.ts";
import { spawnDriver } from "../spark/spawn.ts";
import type { StackContext } from "../stack/component.ts";
import { requireInstalled } from "../stack/guard.ts";
import { java17Home } from "../stack/preconditions.ts";
import { spark, sparkPaths } from "../stack/services/spark.ts";
import { sparkKinesis, sparkKinesisJar } from "../stack/services/spark_kinesis.ts";
import { streamDriverEnv, streamJobConfig, type StreamJobOptions, streamShards } from "./config.ts";
import type { TableSnapshot } from "./events.ts";
import { type StreamPaths, streamPaths } from "./paths.ts";
import { driverSession, type StreamJobEnd } from "./session.ts";

/** What this module runs (checked by its guard and by needs_test.ts). */
export const RUNS = [spark, sparkKinesis];

/** The stream driver, beside the batch driver it shares code with. */
export const STREAM_DRIVER = `${SPARK_DRIVERS_DIR}/stream_job.py`;

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
  /** Records each query has read from its stream since the job started (live). */
  readonly recordsRead: Record<Kind, number>;
  /** Reads the Delta tables (counts, and rows with `rows`). */
  snapshot(
    opts?: { rows?: boolean; timeoutSeconds?: number },
  ): Promise<Record<Kind, TableSnapshot>>;
  /** Asks the job to stop after the micro-batch in flight; SIGKILLs after `timeoutSeconds`. */
  stop(timeoutSeconds?: number): Promise<StreamJobEnd>;
  /** SIGKILLs the JVM and the driver at once, like a crash (tests). */
  kill(): Promise<void>;
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

/**
 * Starts the stream job in the background. Await `job.ready` before relying on it, and
 * `job.stop()` when done.
 *
 * @example
 * ```ts ignore
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
  const job = streamJobConfig(cfg, {
    jars: [...sparkPaths(ctx).jars, sparkKinesisJar(ctx)],
    paths,
    shards: await streamShards(cfg),
    opts,
  });
  await Deno.mkdir(paths.base, { recursive: true });
  const configFile = `${paths.base}/job.json`;
  await Deno.writeTextFile(configFile, JSON.stringify(job, null, 2) + "\n");

  const python = sparkPaths(ctx).python;
  const logFile = ctx.log("spark-stream.log");
  const { child, log, writeLog } = await spawnDriver(
    python,
    [STREAM_DRIVER, "--config", configFile],
    streamDriverEnv(cfg, await java17Home(), python),
    logFile,
    configFile,
    { nice: opts.nice },
  );
  const recordsRead = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const session = driverSession(child, { log, writeLog, logFile }, (e) => {
    if (e.event === "batch") recordsRead[e.kind] += e.rows_in;
    opts.onEvent?.(e);
  });
  const kill = async () => {
    // The JVM first: killing the driver first would let the JVM notice and shut down cleanly.
    for (const pid of await childPids(child.pid)) signal(pid, "SIGKILL");
    signal(child.pid, "SIGKILL");
    await session.ended;
  };
  return {
    pid: child.pid,
    paths,
    logFile,
    ready: session.ready,
    ended: session.ended,
    recordsRead,
    snapshot: (o = {}) => session.snapshot(o),
    async stop(timeoutSeconds = 60) {
      if (session.open()) await session.send({ cmd: "stop" }).catch(() => {});
      const timer = setTimeout(() => kill(), timeoutSeconds * 1000);
      try {
        return await session.ended;
      } finally {
        clearTimeout(timer);
      }
    },
    kill,
  };
}

/**
 * Waits until the job has caught up: the row counts of every table stay the same for
 * `quietSeconds` (default 3). Resolves to those counts; throws after `timeoutSeconds` (120).
 *
 * @example
 * ```ts ignore
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

/**
 * Waits until each query has read at least `want[kind]` records since the job started (the
 * records sent after it started, when the streams held nothing it had not read), then resolves
 * to the tables' row counts. Exact where {@linkcode waitUntilIdle} can only wait for a quiet
 * spell, and without its snapshot every second; throws after `timeoutSeconds` (120) naming
 * what is missing.
 *
 * @example
 * ```ts ignore
 * const counts = await waitForRecords(job, { pin: 500, geo: 500, user: 500 });
 * ```
 */
export async function waitForRecords(
  job: StreamJob,
  want: Record<Kind, number>,
  opts: { timeoutSeconds?: number } = {},
): Promise<Record<Kind, number>> {
  const timeout = opts.timeoutSeconds ?? 120;
  const deadline = Date.now() + timeout * 1000;
  let ended = false;
  job.ended.then(() => ended = true, () => ended = true);
  while (KINDS.some((k) => job.recordsRead[k] < want[k])) {
    if (Date.now() > deadline) {
      const short = KINDS.filter((k) => job.recordsRead[k] < want[k])
        .map((k) => `${k} ${job.recordsRead[k]} of ${want[k]}`).join(", ");
      throw new Error(
        `The stream job did not read every record in ${timeout} s (${short}): see ${job.logFile}`,
      );
    }
    if (ended) {
      throw new Error(`The stream job ended before reading every record: see ${job.logFile}`);
    }
    await sleep(100);
  }
  const s = await job.snapshot();
  return Object.fromEntries(KINDS.map((k) => [k, s[k].count])) as Record<Kind, number>;
}
