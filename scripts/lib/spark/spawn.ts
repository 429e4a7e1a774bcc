/**
 * Starting a Python Spark driver (batch or stream) in a clean environment, its log open.
 *
 * @module
 */
import { dirname } from "node:path";

/**
 * The clean environment of a Spark driver (batch or stream): Java 17 first on PATH, the venv's
 * Python for driver and workers, UTC, loopback. Used with `clearEnv`, so a SPARK_HOME or
 * HADOOP_CONF_DIR of the caller cannot win.
 */
export function sparkDriverEnv(javaHome: string, python: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${javaHome}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    HOME: Deno.env.get("HOME") ?? "/root",
    LANG: "C.UTF-8",
    TZ: "UTC",
    JAVA_HOME: javaHome,
    PYSPARK_PYTHON: python,
    PYSPARK_DRIVER_PYTHON: python,
    SPARK_LOCAL_IP: "127.0.0.1",
  };
  const tmp = Deno.env.get("TMPDIR");
  if (tmp) env.TMPDIR = tmp;
  return env;
}

/** A Python Spark driver started by {@linkcode spawnDriver}, its log open for appending. */
export interface Driver {
  child: Deno.ChildProcess;
  log: Deno.FsFile;
  writeLog(line: string): void;
}

/**
 * Starts a Python Spark driver with only `env` (a SPARK_HOME or HADOOP_CONF_DIR of the caller
 * would otherwise win), all three pipes, and a header line in `logFile` naming it. With `nice`,
 * the driver and its JVM run at that niceness (coreutils `nice`), so they yield the CPU.
 *
 * The driver runs in `logFile`'s directory: what Spark makes in its working directory (an empty
 * `spark-warehouse/` was once found in the checkout) lands beside its log instead. Every path a
 * driver is given is absolute.
 */
export async function spawnDriver(
  python: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  what: string,
  opts: { nice?: number } = {},
): Promise<Driver> {
  const log = await Deno.open(logFile, { create: true, append: true });
  const encoder = new TextEncoder();
  const writeLog = (line: string) => log.writeSync(encoder.encode(`${line}\n`));
  writeLog(`\n=== ${new Date().toISOString()} ${args[0]} ${what}`);
  const niced = opts.nice ? ["-n", String(opts.nice), python] : [];
  const child = new Deno.Command(niced.length ? "nice" : python, {
    args: [...niced, ...args],
    env,
    clearEnv: true,
    cwd: dirname(logFile),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { child, log, writeLog };
}
