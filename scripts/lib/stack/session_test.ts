import assert from "node:assert/strict";
import { runUntilStopped, sessionPids, spawnSession } from "./session.ts";
import { sleep } from "../core/time.ts";

Deno.test("stopping a session stops every process in it, not only the one we started", async () => {
  // The shell starts two more processes, as JupyterLab starts kernels.
  const child = spawnSession("sh", ["-c", "sleep 60 & sleep 60 & wait"], { stdout: "null" });
  let pids: number[] = [];
  for (let i = 0; i < 40 && pids.length < 3; i++) {
    await sleep(50);
    pids = await sessionPids(child.pid);
  }
  assert.equal(pids.length, 3, `session ${child.pid} holds ${pids.join(", ")}`);
  setTimeout(() => child.stop(), 100);
  assert.equal(await runUntilStopped(child, "sleepers"), 0);
  assert.deepEqual(await sessionPids(child.pid), []);
});

Deno.test("a program that exits by itself gives its exit code", async () => {
  const child = spawnSession("sh", ["-c", "exit 3"]);
  assert.equal(await runUntilStopped(child, "sh"), 3);
});
