import assert from "node:assert/strict";
import { REPO_ROOT } from "../core/paths.ts";
import { missingOutputs, type NotebookJson, readOutputs } from "./outputs.ts";

const committed = JSON.parse(
  await Deno.readTextFile(`${REPO_ROOT}/notebooks/07_analytics.ipynb`),
) as NotebookJson;

Deno.test("a committed notebook's tables have rows and its charts are drawn PNGs", () => {
  const o = readOutputs(committed);
  assert.equal(o.errors.length, 0);
  assert.ok(o.tables.length > 0 && o.tables.every((t) => t.rows > 0));
  assert.ok(o.charts.length > 0 && o.charts.every((c) => c.png && c.bytes > 2048));
  assert.deepEqual(missingOutputs(o, o), []);
});

Deno.test("a run with an error, an empty table or a lost chart is named by cell", () => {
  const o = readOutputs(committed);
  const broken = structuredClone(committed);
  const code = broken.cells.filter((c) => c.cell_type === "code");
  const withChart = code.findIndex((c) => c.outputs?.some((x) => x.data?.["image/png"]));
  code[withChart].outputs = [{
    output_type: "error",
    ename: "TypeError",
    evalue: "x is undefined",
  }];
  const problems = missingOutputs(o, readOutputs(broken));
  assert.ok(
    problems.some((p) =>
      new RegExp(`^cell ${withChart + 1} \\(.*\\): TypeError: x is undefined$`).test(p)
    ),
    problems.join("\n"),
  );
  assert.ok(problems.some((p) => /charts shown, the committed notebook shows/.test(p)));
  const empty = readOutputs({
    cells: [{
      cell_type: "code",
      source: "showTable([])",
      outputs: [{
        output_type: "display_data",
        data: { "text/html": "<table><caption>none</caption><tbody></tbody></table>" },
      }],
    }],
  });
  assert.deepEqual(missingOutputs(empty, empty), [
    'cell 1 (showTable([])): table "none" has no rows',
  ]);
});
