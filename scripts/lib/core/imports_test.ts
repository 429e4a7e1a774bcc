import assert from "node:assert/strict";
import { importCircles, importGraph, tsFiles } from "./imports.ts";
import { REPO_ROOT } from "./paths.ts";

const LIB = `${REPO_ROOT}/scripts/lib`;
const short = (f: string) => f.slice(REPO_ROOT.length + 1);

Deno.test("no import circle anywhere in scripts/ or tests/", async () => {
  const files = [...await tsFiles(`${REPO_ROOT}/scripts`), ...await tsFiles(`${REPO_ROOT}/tests`)];
  const circles = importCircles(await importGraph(files));
  assert.deepEqual(circles.map((c) => c.map(short).join(" -> ")), []);
});

Deno.test("scripts/lib/core imports no module outside core, and no lib module imports a task", async () => {
  const graph = await importGraph(await tsFiles(LIB));
  const wrong: string[] = [];
  for (const [file, { imports }] of graph) {
    // Data files (dags/names.json) import nothing: only modules count.
    for (const target of imports.filter((t) => t.endsWith(".ts"))) {
      const upward = file.startsWith(`${LIB}/core/`) && !target.startsWith(`${LIB}/core/`);
      const intoTask = !target.startsWith(`${LIB}/`);
      if (upward || intoTask) wrong.push(`${short(file)} imports ${short(target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("the circle check finds a circle", () => {
  const g = new Map([
    ["a.ts", { text: "", imports: ["b.ts"] }],
    ["b.ts", { text: "", imports: ["c.ts"] }],
    ["c.ts", { text: "", imports: ["a.ts"] }],
  ]);
  assert.deepEqual(importCircles(g), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
});
