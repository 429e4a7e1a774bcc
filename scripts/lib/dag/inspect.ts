/**
 * The project's DAG as Airflow itself parses it (scripts/airflow/inspect_dag.py): schedule,
 * catchup, tags, and each task's operator, retries, upstream tasks and command.
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { airflowPython, dagsFolder, ensureAirflowDb } from "./airflow.ts";

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

/**
 * Parses dags/ with Airflow's own DagBag and describes the project's DAG: schedule, catchup,
 * tasks with operator, retries and upstream tasks. `env` changes what the DAG file sees, e.g.
 * `{ PIPELINE_DAG_TARGET: "databricks", ... }`.
 *
 * @example
 * ```ts ignore
 * const dag = await inspectDag(ctx);
 * dag.tasks.map((t) => t.taskId); // load_lake, clean_pin, clean_geo, clean_user, analytics
 * ```
 */
export async function inspectDag(
  ctx: StackContext,
  env: Record<string, string> = {},
): Promise<DagInfo> {
  await ensureAirflowDb(ctx);
  const out = await airflowPython(
    ctx,
    "inspect_dag.py",
    [dagsFolder(ctx), ctx.cfg.names.dagId],
    `parse the DAG ${ctx.cfg.names.dagId}`,
    env,
  ) as DagInfo & {
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
