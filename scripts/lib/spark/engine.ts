/**
 * Where a batch job runs: in a JVM of its own (`local`, the default) or on the Spark Connect
 * server of the local stack (`connect`, opt-in), chosen by `--engine` or PIPELINE_SPARK_ENGINE.
 * The server is not the default because it saved nothing here: about 25 CPU-s per 11,000-post
 * batch on either engine, and a fresh server's first job took 43-55 s (docs/benchmarks.md).
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { pidFile, startService } from "../stack/service.ts";
import { readPid } from "../stack/process.ts";
import { sparkConnect, sparkConnectUrl } from "../stack/services/spark_connect.ts";

/** What this module starts (checked by needs_test.ts). */
export const RUNS = [sparkConnect];

/** The engines a batch job can run on. */
export const SPARK_ENGINES = ["local", "connect"] as const;
/** One of {@linkcode SPARK_ENGINES}. */
export type SparkEngine = typeof SPARK_ENGINES[number];

/**
 * Parses an engine name; the default (none given) is `local`.
 *
 * @example
 * ```ts
 * parseEngine(undefined); // "local"
 * parseEngine("connect"); // "connect"
 * ```
 */
export function parseEngine(
  text: string | undefined,
  from = "PIPELINE_SPARK_ENGINE",
): SparkEngine {
  if (text === undefined || text === "") return "local";
  if ((SPARK_ENGINES as readonly string[]).includes(text)) return text as SparkEngine;
  throw new Error(
    `Invalid ${from} ${JSON.stringify(text)}: use ${SPARK_ENGINES.join(" or ")}`,
  );
}

/** The engine of the environment (PIPELINE_SPARK_ENGINE), `local` by default. */
export function envEngine(): SparkEngine {
  return parseEngine(Deno.env.get("PIPELINE_SPARK_ENGINE"));
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
