/**
 * Apache Airflow 2.10 (the cached venv) for the project's DAG: a private Airflow home under the
 * state directory (SQLite, migrated once), the environment every Airflow command runs in, and
 * the runner of `airflow` commands and of the Python in scripts/airflow/. `inspect.ts`,
 * `run.ts` and `standalone.ts` build on it.
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { airflow, airflowBin } from "../stack/services/airflow.ts";
import { requireInstalled } from "../stack/guard.ts";
import { REPO_ROOT } from "../core/paths.ts";

/** What this module runs (checked by its guard and by needs_test.ts). */
export const RUNS = [airflow];

/** The Airflow home of a stack: `<state>/airflow`. */
export function airflowHome(ctx: StackContext): string {
  return `${ctx.cfg.stateDir}/airflow`;
}

/** The repository's DAG folder, which Airflow reads in place. */
export function dagsFolder(ctx: StackContext): string {
  return `${ctx.cfg.root}/dags`;
}

/**
 * The environment of every Airflow command: the caller's, plus what makes the DAG's tasks reach
 * the same stack (config, state dir, user id, `deno` on PATH) and Airflow settings that keep its
 * home private and quiet (no example DAGs, no default connections).
 *
 * @example
 * ```ts ignore
 * const env = airflowEnv(ctx);
 * env.AIRFLOW__CORE__DAGS_FOLDER; // "/path/to/repo/dags"
 * ```
 */
export function airflowEnv(
  ctx: StackContext,
  extra: Record<string, string> = {},
): Record<string, string> {
  const cfg = ctx.cfg;
  const deno = Deno.execPath();
  const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
  return {
    ...Deno.env.toObject(),
    // `standalone` starts its parts as plain `airflow`; tasks call `deno`.
    PATH: [dirOf(airflowBin(ctx)), dirOf(deno), path].join(":"),
    // The deno the tasks run: this one, unless PIPELINE_DENO names another (a wrapper).
    PIPELINE_DENO: Deno.env.get("PIPELINE_DENO") || deno,
    PIPELINE_CONFIG: cfg.file,
    PIPELINE_PROFILE: cfg.profile,
    PIPELINE_STATE_DIR: cfg.stateDir,
    // The DAG reads its user id from here first, so its dag_id is the one we ask for.
    PIPELINE_USER_ID: cfg.userId,
    AIRFLOW_HOME: airflowHome(ctx),
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder(ctx),
    AIRFLOW__CORE__LOAD_EXAMPLES: "False",
    // Airflow's defaults include databricks_default on localhost, which is no workspace.
    AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS: "False",
    AIRFLOW__LOGGING__COLORED_CONSOLE_LOG: "False",
    NO_COLOR: "1",
    ...extra,
  };
}

function dirOf(file: string): string {
  return file.slice(0, file.lastIndexOf("/"));
}

export async function checkAirflowInstalled(ctx: StackContext): Promise<void> {
  await requireInstalled(ctx, RUNS, "Airflow");
}

/** Output of one Airflow command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `airflow <args>` (or the venv's python with `python: true`) and captures its output. */
export async function airflowCommand(
  ctx: StackContext,
  args: string[],
  opts: { env?: Record<string, string>; python?: boolean } = {},
): Promise<CommandResult> {
  await checkAirflowInstalled(ctx);
  const bin = airflowBin(ctx);
  const out = await new Deno.Command(opts.python ? bin.replace(/airflow$/, "python") : bin, {
    args,
    env: airflowEnv(ctx, opts.env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

export function lastLines(text: string, n = 20): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/**
 * Creates the Airflow home and runs `airflow db migrate` once per Airflow version (SQLite
 * under the state dir); later calls return at once.
 */
export async function ensureAirflowDb(ctx: StackContext): Promise<void> {
  const home = airflowHome(ctx);
  const stamp = `${home}/db-migrated`;
  const version = airflow.version(ctx);
  const stamped = await Deno.readTextFile(stamp).catch(() => "");
  const db = await Deno.stat(`${home}/airflow.db`).then(() => true, () => false);
  if (db && stamped.trim() === version) return;
  await Deno.mkdir(home, { recursive: true });
  const r = await airflowCommand(ctx, ["db", "migrate"]);
  if (r.code !== 0) {
    throw new Error(
      `Cannot migrate the Airflow database in ${home} (exit ${r.code}); last lines:\n` +
        lastLines(r.stdout + r.stderr),
    );
  }
  await Deno.writeTextFile(stamp, `${version}\n`);
}

/** A DAG file Airflow could not import. */
export interface DagImportError {
  filepath: string;
  error: string;
}

/** `airflow dags list-import-errors` over the repository's dags/ folder. */
export async function listImportErrors(ctx: StackContext): Promise<DagImportError[]> {
  await ensureAirflowDb(ctx);
  const r = await airflowCommand(ctx, ["dags", "list-import-errors", "--output", "json"]);
  // Log lines start with "[<timestamp>]" too: the answer is the line that is a JSON list
  // (`[]` when there is no error; the command exits 1 when there are some).
  const json = r.stdout.split("\n").findLast((l) => /^\[(\]|\{)/.test(l.trim()));
  if (json === undefined) {
    throw new Error(
      `Cannot list DAG import errors (exit ${r.code}):\n${lastLines(r.stdout + r.stderr)}`,
    );
  }
  return JSON.parse(json) as DagImportError[];
}

/** Prefix of the one JSON line our Python prints among Airflow's own log lines. */
const MARK = "PIPELINE_JSON ";

/**
 * Runs `scripts/airflow/<script>` in the Airflow venv (arguments after the mark) and returns the
 * JSON it printed after {@linkcode MARK}; throws with the output's last lines when it failed.
 */
export async function airflowPython(
  ctx: StackContext,
  script: string,
  args: string[],
  what: string,
  env: Record<string, string> = {},
): Promise<unknown> {
  const r = await airflowCommand(ctx, [`${REPO_ROOT}/scripts/airflow/${script}`, MARK, ...args], {
    env,
    python: true,
  });
  const line = r.stdout.split("\n").findLast((l) => l.startsWith(MARK));
  if (r.code !== 0 || line === undefined) {
    throw new Error(`Cannot ${what} (exit ${r.code}):\n${lastLines(r.stdout + r.stderr)}`);
  }
  return JSON.parse(line.slice(MARK.length));
}
