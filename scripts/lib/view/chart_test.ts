import assert from "node:assert/strict";
import { barChart } from "./chart.ts";

Deno.test("a bar chart has one bar per label, scaled to the largest value, with escaped text", () => {
  const svg = barChart({ title: "A & B", labels: ["<k>", "M"], values: [100, 50], width: 400 });
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 2);
  assert.ok(svg.includes("A &amp; B") && svg.includes("&lt;k&gt;"));
  const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) =>
    Number(m[1])
  );
  assert.equal(widths[0], widths[1] * 2);
});

Deno.test("a bar chart refuses mismatched labels and values", () => {
  assert.throws(
    () => barChart({ title: "t", labels: ["a"], values: [1, 2] }),
    /1 labels but 2 values/,
  );
});

Deno.test("a label too long for the left margin is cut with an ellipsis, not clipped", () => {
  const long = 'description = "No description available Story format" and more';
  const svg = barChart({ title: "t", labels: [long, "b"], values: [1, 2], width: 400 });
  const shown = /text-anchor="end">([^<]+)</.exec(svg)![1].replaceAll("&quot;", '"');
  assert.ok(shown.endsWith("…") && shown.length < long.length, shown);
  const left = Number(/<rect x="(\d+)"/.exec(svg)![1]);
  // 7.3 px per character of 12 px DejaVu Sans, and the label ends 8 px before the bars.
  assert.ok(shown.length * 7.3 <= left - 8, `${shown.length} characters in ${left - 8} px`);
});
