import assert from "node:assert/strict";
import { DagTestOutput, milestone } from "./test_output.ts";

const iso = (t: string, msg: string) => `[2024-06-01T${t}.250+0000] {dag.py:4396} INFO - ${msg}`;
const echo = (t: string, msg: string) => `[2024-06-01 ${t},250] {dag.py:4396} INFO - ${msg}`;

Deno.test("dags test output: echoed lines and their tracebacks are dropped, the rest kept", () => {
  const out = new DagTestOutput();
  const shown = [
    "UserWarning: Could not import graphviz.",
    echo("10:00:01", "Task failed with exception"),
    "Traceback (most recent call last):",
    "AirflowException: Bash command failed.",
    iso("10:00:01", "Task failed with exception"),
    "Traceback (most recent call last):",
    "AirflowException: Bash command failed.",
    "DagRun failed",
  ].filter((l) => out.accept(l));
  assert.deepEqual(shown, [
    "UserWarning: Could not import graphviz.",
    iso("10:00:01", "Task failed with exception"),
    "Traceback (most recent call last):",
    "AirflowException: Bash command failed.",
    "DagRun failed",
  ]);
});

Deno.test("dags test output: start of each task's latest try, idle notices said once", () => {
  const out = new DagTestOutput();
  const idle = iso("10:00:02", "No tasks to run. unrunnable tasks: {<TaskInstance: x>}");
  const lines = [
    iso("10:00:00", "[DAG TEST] starting task_id=load_lake map_index=-1"),
    idle,
    idle,
    idle,
    iso("10:02:00", "[DAG TEST] starting task_id=load_lake map_index=-1"),
    idle,
  ];
  assert.equal(lines.filter((l) => out.accept(l)).length, 4);
  assert.deepEqual([...out.starts], [["load_lake", "2024-06-01T10:02:00.250+00:00"]]);
});

Deno.test("milestone keeps task starts and ends, what failed and the run's end, in short", () => {
  const lines = [
    iso("10:00:00", "[DAG TEST] starting task_id=load_lake map_index=-1"),
    iso("10:00:01", "Running command: ['/usr/bin/bash', '-c', 'deno task -q batch --step load']"),
    iso(
      "10:00:20",
      "Marking task as SUCCESS. dag_id=x_dag, task_id=load_lake, run_id=manual__2024, " +
        "execution_date=20240601T000000, start_date=, end_date=20240601T100020",
    ),
    iso("10:00:21", "✘ Cannot mount s3a://user-x-bucket: connection refused"),
    iso("10:00:21", "Marking task as FAILED. dag_id=x_dag, task_id=clean_pin, run_id=m"),
    iso(
      "10:00:22",
      "DagRun Finished: dag_id=x_dag, run_id=m, state=failed, external_trigger=False",
    ),
    "Traceback (most recent call last):",
  ];
  assert.deepEqual(lines.map(milestone).filter(Boolean), [
    "10:00:00 ▶ load_lake",
    "10:00:20 ✔ load_lake SUCCESS",
    "10:00:21   ✘ Cannot mount s3a://user-x-bucket: connection refused",
    "10:00:21 ✘ clean_pin FAILED",
    "10:00:22 DAG run failed",
  ]);
});
