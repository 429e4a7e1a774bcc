/**
 * The Airflow DAG on real Airflow 2.10: it imports without errors, its shape is the one of
 * docs/spec.md §7, the Databricks switch is configuration only, one `dags test` run over a lake in
 * MinIO leaves every analytics answer in place, and a failing task fails the run.
 *
 * The lake is written straight into MinIO in the S3 sink's layout (Kafka is not what is under
 * test here), from the synthetic generator, with datetimes as the emulator sends them.
 */
import { batchOutDir } from "../scripts/lib/batch/batch.ts";
import assert from "node:assert/strict";
import { checkDagRun, dagTest } from "../scripts/lib/dag/run.ts";
import { inspectDag } from "../scripts/lib/dag/inspect.ts";
import { listImportErrors } from "../scripts/lib/dag/airflow.ts";
import { loadConfig } from "../scripts/lib/core/config.ts";
import { stackContext } from "../scripts/lib/stack/context.ts";
import { startStack, testUserId } from "./harness.ts";
import { writeS3Lake } from "./fixtures/lake.ts";
import { missingJobKeys } from "../scripts/lib/spark/job_keys.ts";
import { QUESTIONS } from "../scripts/lib/batch/questions.ts";

const TASKS = ["load_lake", "clean_pin", "clean_geo", "clean_user", "analytics"];
const STEPS = ["load", "clean:pin", "clean:geo", "clean:user", "analytics"];
const UPSTREAM: Record<string, string[]> = {
  load_lake: [],
  clean_pin: ["load_lake"],
  clean_geo: ["load_lake"],
  clean_user: ["load_lake"],
  analytics: ["clean_geo", "clean_pin", "clean_user"],
};

/** docs/spec.md §6: every answer's exact columns. */
const ANSWERS: Record<string, string> = Object.fromEntries(
  QUESTIONS.map((q) => [q.name, q.columns.join(",")]),
);

const cfg = await loadConfig();
const ctx = await stackContext(cfg);
const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "airflow dags list-import-errors finds no error in dags/",
  ...opts,
  async fn() {
    assert.deepEqual(await listImportErrors(ctx), []);
  },
});

Deno.test({
  name:
    "the DAG is <user_id>_dag, @daily, no catchup, 2 retries 2 minutes apart, load >> clean x3 >> analytics",
  ...opts,
  async fn() {
    const dag = await inspectDag(ctx);
    assert.equal(dag.dagId, cfg.names.dagId);
    assert.equal(dag.schedule, "@daily");
    assert.equal(dag.catchup, false);
    assert.equal(dag.maxActiveRuns, 1);
    assert.ok(dag.hasDoc, "doc_md");
    assert.ok(dag.tags.includes("pinterest") && dag.tags.includes("local"), `${dag.tags}`);
    assert.deepEqual(dag.tasks.map((t) => t.taskId), TASKS);
    for (const [i, t] of dag.tasks.entries()) {
      assert.deepEqual(t.upstream, UPSTREAM[t.taskId], `${t.taskId} upstream`);
      assert.equal(t.retries, 2, `${t.taskId} retries`);
      assert.equal(t.retryDelaySeconds, 120, `${t.taskId} retry delay`);
      assert.equal(t.operator, "BashOperator");
      assert.match(t.bashCommand ?? "", new RegExp(` task -q batch --step ${STEPS[i]}$`));
    }
  },
});

Deno.test({
  name: "a databricks_default connection and two Variables switch every task to Databricks",
  ...opts,
  async fn() {
    // Connections and Variables given as AIRFLOW_CONN_* / AIRFLOW_VAR_*: Airflow's own
    // environment secrets backend, read before its database.
    const dag = await inspectDag(ctx, {
      AIRFLOW_CONN_DATABRICKS_DEFAULT: "databricks://token:dapi-x@dbc-1234.cloud.databricks.com",
      AIRFLOW_VAR_DATABRICKS_CLUSTER_ID: "0601-182128-abcd1234",
      AIRFLOW_VAR_PIPELINE_DATABRICKS_REPO: "/Workspace/Repos/me/pinterest-pipeline",
    });
    assert.ok(dag.tags.includes("databricks"), `${dag.tags}`);
    assert.deepEqual(dag.tasks.map((t) => t.taskId), TASKS);
    for (const [i, t] of dag.tasks.entries()) {
      assert.equal(t.operator, "DatabricksSubmitRunOperator");
      assert.deepEqual(t.upstream, UPSTREAM[t.taskId], `${t.taskId} upstream`);
      assert.equal(t.retries, 2);
      const json = t.databricks as {
        existing_cluster_id: string;
        spark_python_task: { python_file: string; parameters: string[] };
      };
      assert.equal(json.existing_cluster_id, "0601-182128-abcd1234");
      const task = json.spark_python_task;
      assert.equal(
        task.python_file,
        "/Workspace/Repos/me/pinterest-pipeline/scripts/spark/batch_job.py",
      );
      assert.equal(task.parameters[0], "--job");
      const job = JSON.parse(task.parameters[1]);
      const [mode, kind] = STEPS[i].split(":");
      assert.equal(job.mode, mode);
      assert.deepEqual(job.kinds, kind ? [kind] : undefined);
      assert.equal(job.session, "existing");
      // The keys the driver requires, from the same file it reads them from.
      assert.deepEqual(missingJobKeys(job), [], `${t.taskId} job`);
      assert.equal(job.sql_dir, "/Workspace/Repos/me/pinterest-pipeline/sql");
      assert.equal(job.lake, `s3a://${cfg.names.bucket}/topics`);
      assert.deepEqual(job.topics, cfg.names.topics);
    }
  },
});

Deno.test({
  name: "airflow dags test runs every task on the local stack and leaves every answer as CSV",
  ...opts,
  async fn() {
    // A user id of the test's own: its bucket and topics hold only the fixture, so no lake of
    // the developer's is touched (the answers still go to the state dir's batch/, as always).
    const stack = await startStack(["minio"], { userId: testUserId("dagtest") });
    try {
      await writeS3Lake(stack.cfg, 1500);
      const before = Date.now();
      const run = await dagTest(stack.ctx, { date: "2024-06-01" });
      checkDagRun(run);
      assert.equal(run.code, 0);
      assert.deepEqual(run.tasks.map((t) => t.taskId).sort(), [...TASKS].sort());
      for (const t of run.tasks) assert.equal(t.tryNumber, 1, `${t.taskId} ran once`);
      for (const [name, header] of Object.entries(ANSWERS)) {
        const file = `${batchOutDir(stack.cfg)}/${name}.csv`;
        const stat = await Deno.stat(file);
        assert.ok(stat.mtime!.getTime() >= before - 1000, `${name}.csv written by this run`);
        const [head, ...rows] = (await Deno.readTextFile(file)).trimEnd().split("\n");
        assert.equal(head, header, `${name}.csv header`);
        assert.ok(rows.length > 0, `${name}.csv has rows`);
      }
    } finally {
      await stack.release();
    }
  },
});

Deno.test({
  name: "a failing task fails the run: dags test exits non-zero and the failed task is named",
  ...opts,
  async fn() {
    // A user id with no bucket: load_lake fails at once, the rest never runs.
    const other = await loadConfig({ overrides: { PIPELINE_USER_ID: "nolake0airflow0test" } });
    const run = await dagTest(await stackContext(other), { date: "2024-06-01", retries: 0 });
    assert.notEqual(run.code, 0);
    assert.equal(run.state, "failed");
    const states = Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));
    assert.equal(states.load_lake, "failed");
    assert.equal(states.analytics, "upstream_failed");
    assert.throws(() => checkDagRun(run), (e: Error) => {
      assert.match(e.message, /^DAG nolake0airflow0test_dag failed for 2024-06-01: /);
      assert.match(e.message, /load_lake failed/);
      assert.match(e.message, /clean_pin upstream_failed/);
      return true;
    });
    const log = await Deno.readTextFile(run.logFile);
    assert.match(log, /Cannot mount s3a:\/\/user-nolake0airflow0test-bucket/);
  },
});

Deno.test({
  name: "dag:test fails before starting Airflow's run when the lake's bucket is missing",
  ...opts,
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${cfg.root}/scripts/dag_run.ts`, "--retries", "0"],
      env: { NO_COLOR: "1", PIPELINE_USER_ID: "nolake0airflow0test" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, text);
    assert.match(text, /DAG nolake0airflow0test_dag \(@daily\): load_lake, clean_pin/);
    assert.match(text, /✘ Cannot mount s3a:\/\/user-nolake0airflow0test-bucket/);
  },
});
