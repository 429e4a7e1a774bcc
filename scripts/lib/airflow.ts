/**
 * Runs Apache Airflow 2.10 (the cached venv) on the project's DAG: a private Airflow home under
 * the state directory (SQLite, migrated once), `dags test` with every task state checked,
 * `standalone` for the UI, and the DAG's structure as Airflow itself parses it.
 *
 * @module
 */
import { textLines as lines } from "./lines.ts";
import type { StackContext } from "./stack/component.ts";
import { airflow, airflowBin } from "./stack/services/airflow.ts";
import { portFree, portHolder } from "./stack/ports.ts";
import { DagTestOutput } from "./dag_test_output.ts";
import { runUntilStopped, spawnSession } from "./session.ts";
import { requireInstalled } from "./stack/guard.ts";

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
 * ```ts
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
    PIPELINE_DENO: deno,
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

async function checkInstalled(ctx: StackContext): Promise<void> {
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
  await checkInstalled(ctx);
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

function lastLines(text: string, n = 20): string {
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

/** One task of the DAG as Airflow parsed it. */
export interface TaskInfo {
  taskId: string;
  operator: string;
  upstream: string[];
  retries: number;
  retryDelaySeconds: number;
  /** The command of a BashOperator, else null. */
  bashCommand: string | null;
  /** The runs/submit JSON of a DatabricksSubmitRunOperator, else null. */
  databricks: Record<string, unknown> | null;
}

/** The DAG as Airflow parsed it. */
export interface DagInfo {
  dagId: string;
  fileloc: string;
  schedule: string;
  catchup: boolean;
  tags: string[];
  maxActiveRuns: number;
  hasDoc: boolean;
  tasks: TaskInfo[];
}

const MARK = "PIPELINE_JSON ";

// Runs in the Airflow venv: parses dags/ with a DagBag, as the scheduler would.
const INSPECT_PY = `
import json, sys
from airflow.models import DagBag

bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
dag = bag.get_dag(sys.argv[2])
if dag is None:
    errors = "; ".join(f"{f}: {e.strip().splitlines()[-1]}" for f, e in bag.import_errors.items())
    print("${MARK}" + json.dumps({"error": errors or "no such DAG", "dag_ids": bag.dag_ids}))
    sys.exit(0)
print("${MARK}" + json.dumps({
    "dagId": dag.dag_id, "fileloc": dag.fileloc,
    # Airflow 2.10 keeps "@daily" here; the timetable would say "0 0 * * *".
    "schedule": str(getattr(dag, "schedule_interval", None) or dag.timetable.summary),
    "catchup": dag.catchup, "tags": sorted(dag.tags), "maxActiveRuns": dag.max_active_runs,
    "hasDoc": bool(dag.doc_md),
    "tasks": [{
        "taskId": t.task_id, "operator": t.task_type, "upstream": sorted(t.upstream_task_ids),
        "retries": t.retries, "retryDelaySeconds": t.retry_delay.total_seconds(),
        "bashCommand": getattr(t, "bash_command", None), "databricks": getattr(t, "json", None),
    } for t in dag.tasks],
}))
`;

function markedJson(r: CommandResult, what: string): unknown {
  const line = r.stdout.split("\n").findLast((l) => l.startsWith(MARK));
  if (r.code !== 0 || line === undefined) {
    throw new Error(`Cannot ${what} (exit ${r.code}):\n${lastLines(r.stdout + r.stderr)}`);
  }
  return JSON.parse(line.slice(MARK.length));
}

/**
 * Parses dags/ with Airflow's own DagBag and describes the project's DAG: schedule, catchup,
 * tasks with operator, retries and upstream tasks. `env` changes what the DAG file sees, e.g.
 * `{ PIPELINE_DAG_TARGET: "databricks", ... }`.
 *
 * @example
 * ```ts
 * const dag = await inspectDag(ctx);
 * dag.tasks.map((t) => t.taskId); // load_lake, clean_pin, clean_geo, clean_user, analytics
 * ```
 */
export async function inspectDag(
  ctx: StackContext,
  env: Record<string, string> = {},
): Promise<DagInfo> {
  await ensureAirflowDb(ctx);
  const r = await airflowCommand(
    ctx,
    ["-c", INSPECT_PY, dagsFolder(ctx), ctx.cfg.names.dagId],
    { env, python: true },
  );
  const out = markedJson(r, `parse the DAG ${ctx.cfg.names.dagId}`) as DagInfo & {
    error?: string;
    dag_ids?: string[];
  };
  if (out.error) {
    throw new Error(
      `Cannot find DAG ${ctx.cfg.names.dagId} in ${dagsFolder(ctx)}: ${out.error} ` +
        `(found: ${out.dag_ids?.join(", ") || "none"}); run \`deno task dag:test\` for details`,
    );
  }
  return out;
}

/** One task instance of a DAG run. */
export interface TaskRun {
  taskId: string;
  state: string | null;
  start: string | null;
  end: string | null;
  seconds: number | null;
  tryNumber: number;
}

/** What `airflow dags test` left in the metadata database. */
export interface DagTestResult {
  dagId: string;
  /** Logical date, `YYYY-MM-DD`. */
  date: string;
  runId: string | null;
  /** `success` or `failed` (null when no run was recorded). */
  state: string | null;
  tasks: TaskRun[];
  /** Exit code of `airflow dags test`. */
  code: number;
  seconds: number;
  /** Everything `airflow dags test` printed, task logs included. */
  logFile: string;
}

// Runs in the Airflow venv: the run of one logical date and its task instances.
const STATES_PY = `
import json, sys
from airflow.models import DagRun
from airflow.utils import timezone
from airflow.utils.session import create_session

iso = lambda d: d.isoformat() if d else None
with create_session() as session:
    runs = DagRun.find(dag_id=sys.argv[1], execution_date=timezone.parse(sys.argv[2]),
                       session=session)
    out = {"runId": None, "state": None, "tasks": []}
    for run in runs:
        out = {"runId": run.run_id, "state": run.state, "tasks": [{
            "taskId": ti.task_id, "state": ti.state, "start": iso(ti.start_date),
            "end": iso(ti.end_date), "seconds": ti.duration, "tryNumber": ti.try_number,
        } for ti in run.get_task_instances(session=session)]}
print("${MARK}" + json.dumps(out))
`;

/** The states of one DAG run's tasks, by logical date (`YYYY-MM-DD`). */
export async function dagRunStates(
  ctx: StackContext,
  date: string,
): Promise<Pick<DagTestResult, "runId" | "state" | "tasks">> {
  const r = await airflowCommand(ctx, ["-c", STATES_PY, ctx.cfg.names.dagId, date], {
    python: true,
  });
  return markedJson(r, `read the states of DAG run ${ctx.cfg.names.dagId} ${date}`) as Pick<
    DagTestResult,
    "runId" | "state" | "tasks"
  >;
}

/** Options of {@linkcode dagTest}. */
export interface DagTestOptions {
  /** Logical date `YYYY-MM-DD` (default: today, UTC). */
  date?: string;
  /** Overrides the DAG's retries (PIPELINE_DAG_RETRIES), e.g. 0 to fail fast. */
  retries?: number;
  /** Sees every line `airflow dags test` prints (task logs included). */
  onLine?: (line: string) => void;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Runs `airflow dags test <dag_id> <date>` on the local stack and reads back every task's state.
 * Resolves even when tasks failed: check the result with {@linkcode checkDagRun}.
 *
 * @example
 * ```ts
 * const run = await dagTest(ctx, { onLine: console.log });
 * checkDagRun(run); // throws naming the failed tasks
 * ```
 */
export async function dagTest(
  ctx: StackContext,
  opts: DagTestOptions = {},
): Promise<DagTestResult> {
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  if (!DATE.test(date) || Number.isNaN(Date.parse(date))) {
    throw new Error(`Invalid date ${JSON.stringify(date)}: give a logical date like 2024-06-01`);
  }
  if (opts.retries !== undefined && !(Number.isInteger(opts.retries) && opts.retries >= 0)) {
    throw new Error(`Invalid retries ${opts.retries}: give a count like 0 or 2`);
  }
  await ensureAirflowDb(ctx);
  const dagId = ctx.cfg.names.dagId;
  const logFile = ctx.log("airflow-dag-test.log");
  const log = await Deno.open(logFile, { create: true, write: true, truncate: true });
  const encoder = new TextEncoder();
  const env: Record<string, string> = opts.retries === undefined
    ? {}
    : { PIPELINE_DAG_RETRIES: String(opts.retries) };
  const started = performance.now();
  const child = new Deno.Command(airflowBin(ctx), {
    args: ["dags", "test", dagId, date],
    env: airflowEnv(ctx, env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const starts = new Map<string, string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const output = new DagTestOutput(starts);
    for await (const line of lines(stream)) {
      log.writeSync(encoder.encode(`${line}\n`));
      if (output.accept(line)) opts.onLine?.(line);
    }
  };
  const [status] = await Promise.all([child.status, pump(child.stdout), pump(child.stderr)]);
  log.close();
  const states = await dagRunStates(ctx, date);
  return {
    dagId,
    date,
    ...states,
    tasks: states.tasks.map((t) => withStart(t, starts.get(t.taskId))),
    code: status.code,
    seconds: (performance.now() - started) / 1000,
    logFile,
  };
}

/** Fills a task's start and duration from the log when the database has none. */
function withStart(t: TaskRun, logged: string | undefined): TaskRun {
  const start = t.start ?? logged ?? null;
  const seconds = t.seconds ??
    (start && t.end ? (Date.parse(t.end) - Date.parse(start)) / 1000 : null);
  return { ...t, start, seconds };
}

/**
 * Rows for a table of a run's tasks, in the order the DAG runs them when `order` is given.
 *
 * @example
 * ```ts
 * console.log(table(taskRunRows(run)));
 * ```
 */
export function taskRunRows(run: DagTestResult, order?: string[]): Record<string, unknown>[] {
  const rank = (id: string) => order?.indexOf(id) ?? 0;
  return [...run.tasks].sort((a, b) =>
    rank(a.taskId) - rank(b.taskId) || (a.start ?? "").localeCompare(b.start ?? "")
  )
    .map((t) => ({
      task: t.taskId,
      state: t.state ?? "not run",
      try: t.tryNumber,
      seconds: t.seconds === null ? "" : t.seconds.toFixed(1),
      started: t.start?.slice(11, 19) ?? "",
    }));
}

/** Throws naming every task that did not succeed, unless the run and all its tasks succeeded. */
export function checkDagRun(run: DagTestResult): void {
  const bad = run.tasks.filter((t) => t.state !== "success");
  if (run.code === 0 && run.state === "success" && bad.length === 0 && run.tasks.length > 0) return;
  const what = bad.length
    ? bad.map((t) => `${t.taskId} ${t.state ?? "not run"}`).join(", ")
    : run.state === null
    ? "no run was recorded"
    : `run ${run.state}, exit code ${run.code}`;
  throw new Error(
    `DAG ${run.dagId} failed for ${run.date}: ${what}; task logs are in ${run.logFile}`,
  );
}

/** Ports of `airflow standalone`: the UI and the two log servers beside it. */
export function standalonePorts(web: number): Record<string, number> {
  return { "the UI": web, "the worker log server": web + 1, "the triggerer log server": web + 2 };
}

/** Throws naming the holder when a port `airflow standalone` needs is taken. */
export async function checkStandalonePorts(web: number): Promise<void> {
  for (const [what, port] of Object.entries(standalonePorts(web))) {
    if (portFree("127.0.0.1", port)) continue;
    const holder = await portHolder(port);
    throw new Error(
      `Cannot start Airflow: port ${port} (${what}) is taken by ` +
        (holder ? `pid ${holder.pid} (${holder.command})` : "another process") +
        "; set PIPELINE_AIRFLOW_PORT to a free port (Airflow takes it and the next two)",
    );
  }
}

/**
 * Runs `airflow standalone` (scheduler, triggerer, UI on 127.0.0.1:`port`) in the foreground
 * until it exits; Ctrl-C (or SIGTERM) stops it cleanly. Resolves to its exit code.
 */
export async function standalone(ctx: StackContext, port: number): Promise<number> {
  await checkInstalled(ctx);
  await checkStandalonePorts(port);
  await ensureAirflowDb(ctx);
  // In a session (and process group) of its own: Ctrl-C reaches only us, and we stop every
  // part of Airflow (scheduler, webserver, gunicorn workers, triggerer) by that group's id:
  // SIGINT would stop standalone alone, and only if its parent did not ignore SIGINT (as a
  // background shell does); SIGTERM to the group stops each part with its own handler.
  const child = spawnSession(airflowBin(ctx), ["standalone"], {
    env: airflowEnv(ctx, {
      AIRFLOW__WEBSERVER__WEB_SERVER_HOST: "127.0.0.1",
      AIRFLOW__WEBSERVER__WEB_SERVER_PORT: String(port),
      AIRFLOW__WEBSERVER__WORKERS: "2",
      // Airflow 2.10 binds these two on every interface; no setting changes that.
      AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: String(port + 1),
      AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: String(port + 2),
    }),
    clearEnv: true,
  });
  return await runUntilStopped(child, "Airflow");
}
