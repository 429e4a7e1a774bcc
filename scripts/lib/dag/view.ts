/**
 * How a notebook shows the Airflow DAG: its tasks as rows, a run's states and durations as a
 * table, a bar chart and the coloured task graph, and the answer files the run left.
 *
 * @module
 */
import { type DagInfo } from "./inspect.ts";
import { type DagTestResult, taskRunRows } from "./run.ts";
import { barChart } from "../view/chart.ts";
import { dagSvg, dagText, type GraphTask } from "./graph.ts";
import { showChart, showTable } from "../view/display.ts";
import { SQL_DIR } from "../core/paths.ts";

/** The DAG's tasks for {@linkcode dagSvg}, with the operator as note. */
export function graphTasks(dag: DagInfo): GraphTask[] {
  return dag.tasks.map((t) => ({ taskId: t.taskId, upstream: t.upstream, note: t.operator }));
}

/**
 * One row per task: operator, upstream tasks, retries and what it runs (the shell command, or
 * the driver, step and cluster of a Databricks run).
 *
 * @example
 * ```ts ignore
 * showTable(describeTasks(await inspectDag(ctx)));
 * ```
 */
export function describeTasks(dag: DagInfo): Record<string, unknown>[] {
  return dag.tasks.map((t) => {
    let runs = t.bashCommand?.replace(/^\S*\/deno /, "deno ") ?? "";
    const submit = t.databricks as {
      existing_cluster_id?: string;
      spark_python_task?: { python_file: string; parameters: string[] };
    } | undefined;
    if (submit?.spark_python_task) {
      const job = JSON.parse(submit.spark_python_task.parameters[1] ?? "{}");
      const step = [job.mode, ...(job.kinds ?? [])].join(":");
      runs = `${submit.spark_python_task.python_file.split("/").pop()} step ${step} ` +
        `on cluster ${submit.existing_cluster_id}`;
    }
    return {
      task: t.taskId,
      operator: t.operator,
      upstream: t.upstream.join(", "),
      retries: t.retries,
      "retry delay": `${t.retryDelaySeconds / 60} min`,
      runs,
    };
  });
}

/**
 * Shows a DAG run: the task table, a bar chart of durations and the graph coloured by state,
 * each with a text fallback.
 */
export function showDagRun(run: DagTestResult, dag: DagInfo): void {
  const order = dag.tasks.map((t) => t.taskId);
  const rows = taskRunRows(run, order);
  showTable(rows, {
    caption: `DAG run ${run.runId ?? "(none)"}: ${run.state ?? "not recorded"} in ` +
      `${run.seconds.toFixed(0)} s`,
  });
  const timed = rows.filter((r) => r.seconds !== "");
  showChart(
    barChart({
      title: "Task durations (dags test runs tasks one at a time)",
      labels: timed.map((r) => String(r.task)),
      values: timed.map((r) => Number(r.seconds)),
      unit: "seconds",
      barColor: "#017cee",
    }),
    timed.map((r) => `${r.task}: ${r.seconds} s`).join("\n"),
  );
  const states = Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));
  const graph = graphTasks(dag);
  showChart(
    dagSvg(graph, { title: `${run.dagId} on ${run.date}`, states }),
    `${dagText(graph)}\n${order.map((id) => `${id}: ${states[id] ?? "not run"}`).join("\n")}`,
  );
}

/** One answer CSV of the batch job. */
export interface AnswerFile {
  name: string;
  /** Null when the file is missing. */
  header: string | null;
  rows: number | null;
  modified: Date | null;
}

/**
 * The CSV answer of every `sql/analytics` query under `dir` (the batch output): header, data
 * rows and modification time.
 *
 * @example
 * ```ts ignore
 * const files = await answerFiles(batchOutDir(cfg));
 * files.every((f) => f.rows); // true after a successful run
 * ```
 */
export async function answerFiles(dir: string): Promise<AnswerFile[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(`${SQL_DIR}/analytics`)) {
    if (e.isFile && e.name.endsWith(".sql")) names.push(e.name.slice(0, -4));
  }
  // q4 ... q11 in task order, as the driver runs them.
  const task = (n: string) => Number(/^q(\d+)/.exec(n)?.[1] ?? 1000);
  names.sort((a, b) => task(a) - task(b) || a.localeCompare(b));
  return await Promise.all(names.map(async (name) => {
    const file = `${dir}/${name}.csv`;
    try {
      const [text, stat] = await Promise.all([Deno.readTextFile(file), Deno.stat(file)]);
      const [header, ...rows] = text.trimEnd().split("\n");
      return { name, header, rows: rows.length, modified: stat.mtime };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      return { name, header: null, rows: null, modified: null };
    }
  }));
}
