/**
 * Where a benchmark leaves its result: `<state dir>/bench/<name>.json`, and its chart beside it
 * as SVG and PNG (the PNG is what docs/benchmarks.md shows).
 *
 * @module
 */
import { svgToPng } from "../view/png.ts";

/**
 * Writes `<stateDir>/bench/<name>.json` (the result, pretty-printed), `<name>.svg` and
 * `<name>.png` (the chart); returns the paths of the JSON and the PNG.
 *
 * @example
 * ```ts
 * import { writeBenchResult } from "./result.ts";
 * import { barChart } from "../view/chart.ts";
 * const dir = await Deno.makeTempDir();
 * const svg = barChart({ title: "t", labels: ["a"], values: [1] });
 * const { json } = await writeBenchResult(dir, "demo", { rows: [1] }, svg);
 * JSON.parse(await Deno.readTextFile(json)).rows; // [1]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeBenchResult(
  stateDir: string,
  name: string,
  result: unknown,
  svg: string,
): Promise<{ json: string; png: string }> {
  const dir = `${stateDir}/bench`;
  await Deno.mkdir(dir, { recursive: true });
  const json = `${dir}/${name}.json`;
  const png = `${dir}/${name}.png`;
  await Deno.writeTextFile(json, JSON.stringify(result, null, 2) + "\n");
  await Deno.writeTextFile(`${dir}/${name}.svg`, svg);
  await Deno.writeFile(png, svgToPng(svg).bytes);
  return { json, png };
}
