/**
 * `deno task dag:test [--date YYYY-MM-DD] [--retries N] [--verbose]`: one run of the Airflow
 * DAG with `airflow dags test` on the local stack (Airflow home under the state dir), then the
 * state and duration of every task. Exits 1 unless every task succeeded. Prints the tasks'
 * progress and errors; `--verbose` prints everything Airflow prints (always kept in a log).
 *
 * @module
 */
import { checkBucket } from "./lib/batch/batch.ts";
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { airflowHome } from "./lib/dag/airflow.ts";
import { checkDagRun, dagTest, taskRunRows } from "./lib/dag/run.ts";
import { inspectDag } from "./lib/dag/inspect.ts";
import { milestone } from "./lib/dag/test_output.ts";
import { stackContext } from "./lib/stack/context.ts";
import { table } from "./lib/view/table.ts";
import { installFor } from "./lib/stack/needs.ts";

const USAGE = "deno task dag:test [--date YYYY-MM-DD] [--retries N] [--verbose]";

if (import.meta.main) {
  await main(async () => {
    const { values } = parseFlags(Deno.args, {
      date: { type: "string" },
      retries: { type: "string" },
      verbose: { type: "boolean" },
    }, USAGE);
    const retries = values.retries === undefined ? undefined : Number(values.retries);
    if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
      throw new Error(`Invalid --retries ${JSON.stringify(values.retries)}: give a count like 0`);
    }
    const ctx = await stackContext(await loadConfig());
    await installFor(ctx, "dag:test");
    const dag = await inspectDag(ctx);
    console.log(
      `DAG ${dag.dagId} (${dag.schedule}): ${dag.tasks.map((t) => t.taskId).join(", ")}; ` +
        `Airflow home ${airflowHome(ctx)}`,
    );
    // A task on the local stack that cannot reach the lake would wait minutes between retries:
    // say now what to start instead.
    if (dag.tasks.some((t) => t.operator === "BashOperator")) {
      await checkBucket(ctx.cfg, ctx.cfg.names.bucket);
    }
    const run = await dagTest(ctx, {
      date: values.date,
      retries,
      onLine: (line) => {
        const shown = values.verbose ? line : milestone(line);
        if (shown !== undefined) console.log(shown);
      },
    });
    console.log(`\nDAG run ${run.runId ?? "(none)"}: ${run.state ?? "not recorded"}`);
    console.log(table(taskRunRows(run)));
    checkDagRun(run);
    console.log(`\n✔ Every task of ${run.dagId} succeeded in ${run.seconds.toFixed(1)} s.`);
    console.log(`  Output of airflow dags test: ${run.logFile}`);
  });
}
