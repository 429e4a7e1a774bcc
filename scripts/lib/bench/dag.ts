/**
 * The DAG benchmark: `airflow dags test` of the daily DAG beside its baseline, the one-shot
 * `deno task batch`, on the same lake, output and engine, taking turns in the same run. Each is
 * timed as its caller waits for it (the command, start to answers written); the DAG's time is
 * split into its tasks and what Airflow spends around them.
 *
 * @module
 */
import { REPO_ROOT } from "../core/paths.ts";
import type { StackContext } from "../stack/component.ts";
import { checkDagRun, dagTest, type DagTestResult } from "../dag/run.ts";
import { barChart } from "../view/chart.ts";
import { percentile, round2 as round } from "./stats.ts";

/** The engines the DAG bench runs on: the job's own JVMs, or the warm Spark Connect server. */
export type DagBenchEngine = "local" | "connect";

/** One turn of the DAG bench: a batch, then a DAG run. */
export interface DagBenchRow {
  run: number;
  engine: DagBenchEngine;
  /** `deno task batch`, process start to exit. */
  batch_s: number;
  /** `airflow dags test`, process start to exit. */
  dag_s: number;
  ratio: number;
  /** The tasks' own durations, as Airflow recorded them, added up. */
  tasks_s: number;
  /** The rest of the DAG's time: Airflow's start, parse and hand-overs between tasks. */
  airflow_s: number;
  /** Each task's duration, by task id. */
  task_s: Record<string, number>;
  /** 1-minute load average when the turn ended. */
  load: number;
}

/** Options of {@linkcode benchDag}. */
export interface DagBenchOptions {
  engine: DagBenchEngine;
  /** Timed turns (each one batch and one DAG run). */
  runs: number;
  /** Untimed batches first: a server that has just started is JIT-cold for about ten jobs. */
  warmup: number;
  onLine?: (line: string) => void;
}

/**
 * Runs the DAG bench: `warmup` untimed batches, then `runs` turns of one batch and one DAG run.
 *
 * @example
 * ```ts ignore
 * const rows = await benchDag(ctx, { engine: "connect", runs: 3, warmup: 3 });
 * rows.map((r) => r.ratio);
 * ```
 */
export async function benchDag(ctx: StackContext, opts: DagBenchOptions): Promise<DagBenchRow[]> {
  const log = opts.onLine ?? (() => {});
  for (let i = 1; i <= opts.warmup; i++) {
    log(`  warm-up batch ${i}/${opts.warmup}: ${(await timedBatch(opts.engine)).toFixed(1)} s`);
  }
  const rows: DagBenchRow[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    const batch = await timedBatch(opts.engine);
    const dag = await dagTest(ctx, { env: { PIPELINE_SPARK_ENGINE: opts.engine } });
    checkDagRun(dag);
    rows.push(dagRow(run, opts.engine, batch, dag));
    const r = rows.at(-1)!;
    log(
      `  run ${run}/${opts.runs}: batch ${r.batch_s} s, DAG ${r.dag_s} s (tasks ${r.tasks_s} s, ` +
        `Airflow ${r.airflow_s} s), ratio ${r.ratio}; load ${r.load}`,
    );
  }
  return rows;
}

/** `deno task batch` as a user runs it; its seconds, or an error with the end of its stderr. */
async function timedBatch(engine: DagBenchEngine): Promise<number> {
  const started = performance.now();
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "batch", "--show", "0", "--engine", engine],
    cwd: REPO_ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const tail = new TextDecoder().decode(stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`deno task batch --engine ${engine} failed (exit code ${code}):\n${tail}`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * A turn's row from its batch time and DAG run: `airflow dags test` runs the tasks one at a
 * time, so what is not a task's own time is Airflow's.
 *
 * @example
 * ```ts
 * import { dagRow } from "./dag.ts";
 * const task = (taskId: string, seconds: number) => ({
 *   taskId, state: "success", start: null, end: null, seconds, tryNumber: 1,
 * });
 * const row = dagRow(1, "connect", 8, {
 *   dagId: "u_dag", date: "2026-12-02", runId: "r", state: "success", code: 0,
 *   seconds: 30, logFile: "x.log", tasks: [task("load_lake", 6), task("analytics", 9)],
 * });
 * row.tasks_s; // 15
 * row.airflow_s; // 15
 * row.ratio; // 3.75
 * ```
 */
export function dagRow(
  run: number,
  engine: DagBenchEngine,
  batchSeconds: number,
  dag: DagTestResult,
): DagBenchRow {
  const task_s = Object.fromEntries(dag.tasks.map((t) => [t.taskId, round(t.seconds ?? 0)]));
  const tasks = dag.tasks.reduce((sum, t) => sum + (t.seconds ?? 0), 0);
  return {
    run,
    engine,
    batch_s: round(batchSeconds),
    dag_s: round(dag.seconds),
    ratio: round(dag.seconds / batchSeconds),
    tasks_s: round(tasks),
    airflow_s: round(dag.seconds - tasks),
    task_s,
    load: round(Deno.loadavg()[0]),
  };
}

/**
 * The chart of a DAG bench: the median batch, the median DAG run and what it is made of, in
 * seconds (an SVG document).
 *
 * @example
 * ```ts
 * import { dagChart } from "./dag.ts";
 * const row = {
 *   run: 1, engine: "connect" as const, batch_s: 8, dag_s: 30, ratio: 3.75, tasks_s: 15,
 *   airflow_s: 15, task_s: { load_lake: 6, analytics: 9 }, load: 2,
 * };
 * dagChart([row]).startsWith("<svg"); // true
 * ```
 */
export function dagChart(rows: DagBenchRow[]): string {
  const median = (xs: number[]) => percentile(xs, 50);
  const tasks = Object.keys(rows[0]?.task_s ?? {});
  const bars: [string, number][] = [
    ["deno task batch (baseline)", median(rows.map((r) => r.batch_s))],
    ["airflow dags test, in all", median(rows.map((r) => r.dag_s))],
    ...tasks.map((t): [string, number] => [`  task ${t}`, median(rows.map((r) => r.task_s[t]))]),
    ["  Airflow around the tasks", median(rows.map((r) => r.airflow_s))],
  ];
  return barChart({
    title: `DAG vs one batch on the ${rows[0]?.engine ?? ""} engine, median of ${rows.length}`,
    labels: bars.map(([label]) => label),
    values: bars.map(([, seconds]) => round(seconds)),
    unit: "seconds",
    width: 760,
  });
}
