/**
 * Runs the Spark driver `scripts/spark/batch_job.py` with the cached PySpark venv and Java 17,
 * streams its JSON-lines progress as typed events, and turns failures into one clear message.
 *
 * @module
 */
import { textLines as lines } from "../core/lines.ts";
import { SPARK_DRIVERS_DIR } from "../core/paths.ts";
import type { StackContext } from "../stack/component.ts";
import { spark, sparkPaths } from "../stack/services/spark.ts";
import { java17Home } from "../stack/preconditions.ts";
import { requireInstalled } from "../stack/guard.ts";
import { batchJobConfig, type RemoteSession, type SparkJob } from "./job.ts";
import { parseEvent, type SparkEvent, type SparkReport } from "./events.ts";
import { connectServer, resolveEngine } from "./engine.ts";
import { sparkDriverEnv, spawnDriver } from "./spawn.ts";

/** What this module runs (checked by its guard and by needs_test.ts; engine.ts starts the server). */
export const RUNS = [spark];

/** The batch driver. */
export const DRIVER = `${SPARK_DRIVERS_DIR}/batch_job.py`;

/**
 * Turns a local path into a `file://` URI and `s3://` into `s3a://`; other URIs pass unchanged.
 *
 * @example
 * ```ts
 * toUri("/tmp/lake"); // "file:///tmp/lake"
 * toUri("s3://bucket/topics"); // "s3a://bucket/topics"
 * ```
 */
export function toUri(pathOrUri: string): string {
  if (pathOrUri.startsWith("s3://")) return `s3a://${pathOrUri.slice(5)}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUri)) return pathOrUri;
  const abs = pathOrUri.startsWith("/") ? pathOrUri : `${Deno.cwd()}/${pathOrUri}`;
  return `file://${abs.replace(/\/+$/, "")}`;
}

/**
 * The Spark Connect server a job should run on (started if need be), or undefined for its own
 * JVM: the job's engine says, and an output that is not a local directory needs the JVM's file
 * system for its CSV files.
 */
async function remoteFor(ctx: StackContext, job: SparkJob): Promise<RemoteSession | undefined> {
  if ((await resolveEngine(ctx, job.engine)) !== "connect") return undefined;
  if (job.out && !job.out.startsWith("file://")) {
    console.log(`  ${job.out} is not a local directory: Spark runs in its own JVM`);
    return undefined;
  }
  return await connectServer(ctx);
}

/**
 * Runs the driver and resolves to its report; `onEvent` sees every event as it comes. Throws
 * the driver's own message when it reports an error, else the tail of its log. The driver starts
 * its own JVM, or with `job.engine` `connect` is a client of the Spark Connect server.
 *
 * @example
 * ```ts ignore
 * const report = await runSparkJob(ctx, {
 *   lake: "file:///tmp/lake/topics",
 *   topics: cfg.names.topics,
 *   out: "file:///tmp/batch",
 * });
 * report.tables["q4_popular_category_by_country"].rows;
 * ```
 */
export async function runSparkJob(
  ctx: StackContext,
  job: SparkJob,
  onEvent: (e: SparkEvent) => void = () => {},
): Promise<SparkReport> {
  await requireInstalled(ctx, RUNS, "Spark");
  const paths = sparkPaths(ctx);
  const javaHome = await java17Home();
  // One log per mode (and kinds): the DAG may run the three clean steps side by side.
  const logFile = ctx.log(`spark-${[job.mode ?? "batch", ...(job.kinds ?? [])].join("-")}.log`);
  const remote = await remoteFor(ctx, job);
  const config = batchJobConfig(job, paths.jars, remote);
  const env = sparkDriverEnv(javaHome, paths.python);
  // The server holds its own s3a keys: a client of it needs none.
  if (job.s3 && !remote) {
    env.AWS_ACCESS_KEY_ID = job.s3.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = job.s3.secretAccessKey;
  }

  const { child, log, writeLog } = await spawnDriver(
    paths.python,
    [DRIVER, "--config", "-"],
    env,
    logFile,
    `${config.mode} ${job.lake}`,
  );
  const encoder = new TextEncoder();
  const stdin = child.stdin.getWriter();
  await stdin.write(encoder.encode(JSON.stringify(config)));
  await stdin.close();

  const tail: string[] = [];
  const report: SparkReport = {
    sparkVersion: "",
    engine: remote?.url ?? "local",
    steps: [],
    tables: {},
    seconds: 0,
    logFile,
  };
  let error: string | undefined;
  let unexpected = false;
  const readStdout = (async () => {
    for await (const line of lines(child.stdout)) {
      const e = parseEvent(line);
      if (!e) {
        writeLog(line);
        continue;
      }
      if (e.event === "start") report.sparkVersion = e.spark;
      else if (e.event === "step") report.steps.push(e);
      else if (e.event === "table") report.tables[e.name] = e;
      else if (e.event === "done") report.seconds = e.seconds;
      else if (e.event === "error") [error, unexpected] = [e.message, e.unexpected ?? false];
      onEvent(e);
    }
  })();
  const readStderr = (async () => {
    for await (const line of lines(child.stderr)) {
      writeLog(line);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  })();
  const [status] = await Promise.all([child.status, readStdout, readStderr]);
  log.close();
  if (error) throw new Error(unexpected ? `${error}; the stack trace is in ${logFile}` : error);
  if (!status.success) {
    throw new Error(
      `Spark job exited with code ${status.code}; see ${logFile}. Last lines:\n${tail.join("\n")}`,
    );
  }
  return report;
}

/**
 * Rows for a summary table of a report: one per step, with rows and seconds.
 *
 * @example
 * ```ts ignore
 * console.log(table(stepRows(report)));
 * ```
 */
export function stepRows(report: SparkReport): Record<string, unknown>[] {
  return report.steps.map((s) => ({
    step: s.format ? `${s.step} ${s.format}` : s.step,
    name: s.name ?? "",
    rows: s.rows,
    seconds: s.seconds.toFixed(2),
  }));
}
