/**
 * One run of the DAG with `airflow dags test` on the local stack, every task's state read back
 * from Airflow's metadata (scripts/airflow/dag_run_states.py), and the checks and table of it.
 *
 * @module
 */
import { textLines as lines } from "../core/lines.ts";
import type { StackContext } from "../stack/component.ts";
import { airflowBin } from "../stack/services/airflow.ts";
import { DagTestOutput } from "./test_output.ts";
import { airflowEnv, airflowPython, ensureAirflowDb } from "./airflow.ts";

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

/** The states of one DAG run's tasks, by logical date (`YYYY-MM-DD`). */
export async function dagRunStates(
  ctx: StackContext,
  date: string,
): Promise<Pick<DagTestResult, "runId" | "state" | "tasks">> {
  return await airflowPython(
    ctx,
    "dag_run_states.py",
    [ctx.cfg.names.dagId, date],
    `read the states of DAG run ${ctx.cfg.names.dagId} ${date}`,
  ) as Pick<
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
  /** More environment for Airflow and the tasks, e.g. PIPELINE_SPARK_ENGINE. */
  env?: Record<string, string>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Runs `airflow dags test <dag_id> <date>` on the local stack and reads back every task's state.
 * Resolves even when tasks failed: check the result with {@linkcode checkDagRun}.
 *
 * @example
 * ```ts ignore
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
  const env: Record<string, string> = { ...opts.env };
  if (opts.retries !== undefined) env.PIPELINE_DAG_RETRIES = String(opts.retries);
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
 * ```ts ignore
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
