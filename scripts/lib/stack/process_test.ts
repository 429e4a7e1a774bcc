import assert from "node:assert/strict";
import { isAlive, procInfo, startTicks } from "./process.ts";

Deno.test("the start time is read past a command name holding spaces and parentheses", () => {
  const stat = "4242 (deno (x) y) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 9 0 981234 0";
  assert.equal(startTicks(stat), 981234);
  assert.equal(startTicks("garbage"), undefined);
});

Deno.test("a process is ours by its boot-relative start, and by lstart in older pid files", async () => {
  const info = (await procInfo(Deno.pid))!;
  assert.match(info.started, /^ticks:\d+$/);
  const rec = { pid: Deno.pid, command: [], startedAt: "" };
  assert.equal(await isAlive({ ...rec, started: info.started }), true);
  assert.equal(await isAlive({ ...rec, started: info.lstart }), true, "a pid file from before");
  assert.equal(await isAlive({ ...rec, started: "ticks:1" }), false, "a reused pid");
  assert.equal(await isAlive(undefined), false);
});
