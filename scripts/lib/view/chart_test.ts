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
