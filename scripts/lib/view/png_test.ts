import assert from "node:assert/strict";
import { svgToPng } from "./png.ts";
import { barChart } from "./chart.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngSize(bytes: Uint8Array): [number, number] {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return [v.getUint32(16), v.getUint32(20)];
}

Deno.test("a chart renders to a PNG of twice its size, the same bytes every time", () => {
  const svg = barChart({ title: "Forms", labels: ["<n>k", "digits"], values: [8267, 1456] });
  const png = svgToPng(svg);
  assert.deepEqual([...png.bytes.slice(0, 8)], PNG_SIGNATURE);
  assert.deepEqual([png.width, png.height], [640, 126]);
  assert.deepEqual(pngSize(png.bytes), [1280, 252]);
  assert.deepEqual(svgToPng(svg).bytes, png.bytes);
});

Deno.test("text is drawn with the bundled font: a chart with labels has more ink than without", () => {
  const bare = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"/>');
  const text = svgToPng(
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">' +
      '<text x="10" y="25" font-family="sans-serif" font-size="16">follower_count</text></svg>',
  );
  // Compressed size grows with what is drawn; an unrendered text (no font) compresses like blank.
  assert.ok(
    text.bytes.length > bare.bytes.length + 400,
    `${text.bytes.length} vs ${bare.bytes.length}`,
  );
});

Deno.test("an SVG that does not parse fails saying it is the PNG rendering", () => {
  assert.throws(() => svgToPng("<svg"), /^Error: Cannot render the chart as PNG: /);
});
