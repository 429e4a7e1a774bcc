import assert from "node:assert/strict";
import { checkDagRun, type DagTestResult, taskRunRows } from "./run.ts";

const run = (over: Partial<DagTestResult> = {}): DagTestResult => ({
  dagId: "x_dag",
  date: "2024-06-01",
  runId: "manual__2024-06-01T00:00:00+00:00",
  state: "success",
  code: 0,
  seconds: 60,
  logFile: "/state/logs/airflow-dag-test.log",
  tasks: [
    {
      taskId: "b",
      state: "success",
      start: "2024-06-01T10:00:20+00:00",
      end: "x",
      seconds: 5,
      tryNumber: 1,
    },
    {
      taskId: "a",
      state: "success",
      start: "2024-06-01T10:00:00+00:00",
      end: "x",
      seconds: 20,
      tryNumber: 1,
    },
  ],
  ...over,
});

Deno.test("checkDagRun passes a successful run and names every task that did not succeed", () => {
  checkDagRun(run());
  const failed = run({
    state: "failed",
    code: 1,
    tasks: [
      { taskId: "a", state: "failed", start: null, end: null, seconds: null, tryNumber: 3 },
      {
        taskId: "b",
        state: "upstream_failed",
        start: null,
        end: null,
        seconds: null,
        tryNumber: 0,
      },
    ],
  });
  assert.throws(
    () => checkDagRun(failed),
    /^Error: DAG x_dag failed for 2024-06-01: a failed, b upstream_failed; task logs are in \/state/,
  );
  // A run whose tasks all succeeded still fails when Airflow says so.
  assert.throws(() => checkDagRun(run({ code: 1, state: "failed" })), /run failed, exit code 1/);
  assert.throws(() => checkDagRun(run({ state: null, tasks: [] })), /no run was recorded/);
});

Deno.test("taskRunRows follow the DAG's order when given, else the start times", () => {
  assert.deepEqual(taskRunRows(run()).map((r) => r.task), ["a", "b"]);
  assert.deepEqual(taskRunRows(run(), ["b", "a"]).map((r) => r.task), ["b", "a"]);
  assert.deepEqual(taskRunRows(run())[0], {
    task: "a",
    state: "success",
    try: 1,
    seconds: "20.0",
    started: "10:00:00",
  });
});
