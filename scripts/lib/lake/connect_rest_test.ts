import assert from "node:assert/strict";
import {
  ConnectorFailedError,
  type ConnectorStatus,
  hasFailed,
  isRunning,
  type WorkerState,
} from "./connect_rest.ts";

type State = WorkerState["state"];

const status = (connector: State, ...tasks: State[]): ConnectorStatus => ({
  name: "x-s3-sink",
  connector: { state: connector, worker_id: "w" },
  tasks: tasks.map((state, id) => ({
    id,
    state,
    worker_id: "w",
    ...(state === "FAILED"
      ? { trace: "org.apache.kafka.connect.errors.ConnectException: no bucket\n\tat ..." }
      : {}),
  })),
});

Deno.test("running means the connector and every one of at least one task", () => {
  assert.equal(isRunning(status("RUNNING", "RUNNING", "RUNNING")), true);
  assert.equal(isRunning(status("RUNNING")), false, "no task yet");
  assert.equal(isRunning(status("RUNNING", "RUNNING", "UNASSIGNED")), false);
  assert.equal(isRunning(undefined), false);
});

Deno.test("failed means the connector or any task, and the error names which and why", () => {
  assert.equal(hasFailed(status("RUNNING", "RUNNING")), false);
  const s = status("RUNNING", "RUNNING", "FAILED");
  assert.equal(hasFailed(s), true);
  const e = new ConnectorFailedError(s);
  assert.match(e.message, /^Connector x-s3-sink failed \(task 1\): .*ConnectException: no bucket;/);
  assert.match(e.message, /re-run `deno task setup-connector`/);
});
