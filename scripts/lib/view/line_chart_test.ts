import assert from "node:assert/strict";
import { lineChart } from "./line_chart.ts";

Deno.test("a line chart draws one path per series and names each in the legend", () => {
  const svg = lineChart({
    title: "Rows <over> time",
    series: [
      { name: "pin", points: [[0, 0], [2, 40], [4, 100]] },
      { name: "geo", points: [[0, 0], [4, 100]] },
    ],
    xLabel: "seconds",
    yLabel: "rows",
  });
  assert.ok(svg.startsWith("<svg") && svg.endsWith("</svg>"));
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.match(svg, />pin</);
  assert.match(svg, />geo</);
  assert.match(svg, /Rows &lt;over&gt; time/);
  // The last pin point sits at the top right corner of the plot.
  assert.match(svg, /L520\.0,40\.0/);
});

Deno.test("an empty chart still renders", () => {
  assert.match(lineChart({ title: "Nothing", series: [] }), /Nothing/);
});
