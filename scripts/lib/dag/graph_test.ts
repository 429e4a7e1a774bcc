import assert from "node:assert/strict";
import { dagSvg, dagText, type GraphTask, layers } from "./graph.ts";

const DAG: GraphTask[] = [
  { taskId: "load_lake", upstream: [], note: "BashOperator" },
  { taskId: "clean_pin", upstream: ["load_lake"] },
  { taskId: "clean_geo", upstream: ["load_lake"] },
  { taskId: "clean_user", upstream: ["load_lake"] },
  { taskId: "analytics", upstream: ["clean_geo", "clean_pin", "clean_user"] },
];

Deno.test("layers put each task one step after its deepest upstream task", () => {
  assert.deepEqual(layers(DAG), [
    ["load_lake"],
    ["clean_pin", "clean_geo", "clean_user"],
    ["analytics"],
  ]);
  // A shortcut edge does not pull a task forward.
  assert.deepEqual(
    layers([
      { taskId: "d", upstream: ["a", "c"] },
      { taskId: "a", upstream: [] },
      { taskId: "c", upstream: ["a"] },
    ]),
    [["a"], ["c"], ["d"]],
  );
});

Deno.test("layers refuse cycles and unknown upstream tasks", () => {
  assert.throws(
    () => layers([{ taskId: "a", upstream: ["b"] }, { taskId: "b", upstream: ["a"] }]),
    /a cycle runs through/,
  );
  assert.throws(() => layers([{ taskId: "a", upstream: ["x"] }]), /unknown upstream task x/);
});

Deno.test("dagText writes Airflow's chain when layers feed each other fully, else edges", () => {
  assert.equal(dagText(DAG), "load_lake >> [clean_pin, clean_geo, clean_user] >> analytics");
  const partial: GraphTask[] = [
    { taskId: "a", upstream: [] },
    { taskId: "b", upstream: [] },
    { taskId: "c", upstream: ["a"] },
  ];
  assert.equal(dagText(partial), "a (start)\nb (start)\nc << a");
});

Deno.test("dagSvg draws one box per task, one arrow per edge, states as colours", () => {
  const svg = dagSvg(DAG, {
    title: "x_dag <daily>",
    states: { load_lake: "success", clean_pin: "failed", analytics: null },
  });
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 5);
  assert.equal((svg.match(/marker-end=/g) ?? []).length, 6);
  assert.ok(svg.includes("x_dag &lt;daily&gt;"));
  assert.ok(svg.includes('fill="#c8e6c9"') && svg.includes('fill="#ffcdd2"'));
  assert.ok(svg.includes(">not run<") && svg.includes(">BashOperator<"));
});
