import assert from "node:assert/strict";
import { checkGoals, type ThroughputResult } from "./ingest.ts";
import { summarize } from "./stats.ts";

function run(path: "api" | "raw", batch: number, postsPerSecond: number): ThroughputResult {
  return {
    path,
    batch,
    concurrency: 8,
    posts: postsPerSecond * 10,
    failed: 0,
    seconds: 10,
    postsPerSecond,
    recordsPerSecond: postsPerSecond * 3,
    sinkCatchUp: { seconds: 0, backlog: 0 },
    errors: [],
  };
}

Deno.test("goals are checked at the largest batch, API against raw of the same batch", () => {
  const goals = checkGoals(
    [run("api", 1, 400), run("raw", 1, 900), run("api", 100, 6000), run("raw", 100, 20000)],
    summarize([1, 2, 3]),
  );
  assert.deepEqual(goals.map((g) => [g.goal, g.met]), [
    ["posts/s through the API, batch 100", true],
    ["API rate / raw kafkajs rate, batch 100", false],
    ["lake landing latency p95", true],
  ]);
  assert.equal(goals[1].measured, "30.0%");
});

Deno.test("a landing run where nothing landed fails its goal", () => {
  const goals = checkGoals([run("api", 100, 6000)], undefined);
  assert.equal(goals.length, 2);
  assert.deepEqual(goals[1], {
    goal: "lake landing latency p95",
    target: "<= 10 s",
    measured: "nothing landed",
    met: false,
  });
});
