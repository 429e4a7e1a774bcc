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
  // The last pin point sits at the top right corner of the plot, left of a legend of 86 px.
  assert.match(svg, /L554\.0,40\.0/);
});

Deno.test("an empty chart still renders", () => {
  assert.match(lineChart({ title: "Nothing", series: [] }), /Nothing/);
});

Deno.test("the legend holds the longest series name inside the chart", () => {
  const width = 760;
  const svg = lineChart({
    title: "t",
    width,
    series: [{ name: "0a1b2c3d4e5f_user_table", points: [[0, 0], [1, 1]] }],
  });
  const [, x, name] = /<text x="([\d.]+)" y="[\d.]+">(0a1b[^<]*)</.exec(svg)!;
  assert.equal(name, "0a1b2c3d4e5f_user_table");
  assert.ok(Number(x) + 7.3 * name.length <= width, `${name} at ${x} runs past ${width}`);
  const narrow = lineChart({
    title: "t",
    width: 300,
    series: [{ name: "x".repeat(60), points: [] }],
  });
  assert.match(narrow, />x+…</);
});
