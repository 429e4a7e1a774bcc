/**
 * Where a batch job runs: on the warm Spark Connect server of the local stack (`connect`) or in
 * a JVM of its own (`local`), chosen by `--engine` or PIPELINE_SPARK_ENGINE. The default, `auto`,
 * takes the server when it is running and the job's own JVM when it is not: warm, the server runs
 * `deno task batch` at the course's size in 7 s instead of 20 s, but a server just started needs
 * its first jobs to warm up (the first 30 s, the next few 10-15 s), so no single job starts it
 * unasked. `connect` starts it (`deno task stack:up --only spark_connect` does too), and it
 * stays up, warm, until `stack:down` (docs/benchmarks.md).
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { pidFile, serviceState, startService } from "../stack/service.ts";
import { readPid } from "../stack/process.ts";
import { sparkConnect, sparkConnectUrl } from "../stack/services/spark_connect.ts";

/** What this module starts (checked by needs_test.ts). */
export const RUNS = [sparkConnect];

/** The engines a batch job can ask for: `auto` is the server if it runs, else `local`. */
export const SPARK_ENGINES = ["auto", "local", "connect"] as const;
/** One of {@linkcode SPARK_ENGINES}. */
export type SparkEngine = typeof SPARK_ENGINES[number];

/**
 * Parses an engine name; the default (none given) is `auto`.
 *
 * @example
 * ```ts
 * parseEngine(undefined); // "auto"
 * parseEngine("connect"); // "connect"
 * ```
 */
export function parseEngine(
  text: string | undefined,
  from = "PIPELINE_SPARK_ENGINE",
): SparkEngine {
  if (text === undefined || text === "") return "auto";
  if ((SPARK_ENGINES as readonly string[]).includes(text)) return text as SparkEngine;
  throw new Error(
    `Invalid ${from} ${JSON.stringify(text)}: use ${SPARK_ENGINES.slice(0, -1).join(", ")} or ` +
      SPARK_ENGINES.at(-1),
  );
}

/** The engine of the environment (PIPELINE_SPARK_ENGINE), `auto` by default. */
export function envEngine(): SparkEngine {
  return parseEngine(Deno.env.get("PIPELINE_SPARK_ENGINE"));
}

/**
 * Where a job asking for `engine` runs, given whether the Spark Connect server is healthy now.
 *
 * @example
 * ```ts
 * engineFor("auto", true); // "connect"
 * engineFor("auto", false); // "local"
 * engineFor("local", true); // "local"
 * ```
 */
export function engineFor(engine: SparkEngine, serverHealthy: boolean): "local" | "connect" {
  return engine === "auto" ? (serverHealthy ? "connect" : "local") : engine;
}

/**
 * The engine a job asking for `engine` (default: the environment's) runs on now: for `auto`,
 * the Spark Connect server's state decides.
 *
 * @example
 * ```ts ignore
 * await resolveEngine(ctx); // "connect" while the server is up
 * ```
 */
export async function resolveEngine(
  ctx: StackContext,
  engine: SparkEngine = envEngine(),
): Promise<"local" | "connect"> {
  if (engine !== "auto") return engine;
  return engineFor(engine, (await serviceState(ctx, sparkConnect)).state === "healthy");
}

/** A running Spark Connect server: where to connect, and its JVM (for the bench's CPU time). */
export interface ConnectServer {
  url: string;
  pid: number;
}

/**
 * Starts the Spark Connect server if it is not running (on demand: the first batch caller pays
 * its start, every later one finds it warm) and returns its address and pid.
 *
 * @example
 * ```ts ignore
 * const { url } = await connectServer(ctx); // "sc://127.0.0.1:15002"
 * ```
 */
export async function connectServer(ctx: StackContext): Promise<ConnectServer> {
  await startService(ctx, sparkConnect);
  const rec = await readPid(pidFile(ctx, sparkConnect));
  if (!rec) {
    throw new Error(
      `Cannot find the Spark Connect server's pid file ${pidFile(ctx, sparkConnect)}: ` +
        "run `deno task stack:up --only spark_connect`",
    );
  }
  return { url: sparkConnectUrl(ctx), pid: rec.pid };
}
