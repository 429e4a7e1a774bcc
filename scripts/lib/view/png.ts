/**
 * SVG to PNG with resvg (WebAssembly, from npm) and the DejaVu fonts (from npm), so a chart
 * renders to the same pixels on every machine, whatever fonts it has installed.
 *
 * @module
 */
import { createRequire } from "node:module";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
// The fonts package holds no module; importing its package.json puts it in the module graph, so
// Deno downloads it, and gives us its directory.
import _fontPackage from "dejavu-fonts-ttf/package.json" with { type: "json" };

const require = createRequire(import.meta.url);
const fontDir = require.resolve("dejavu-fonts-ttf/package.json").replace(/package\.json$/, "ttf");

await initWasm(await Deno.readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
const FONTS = [
  await Deno.readFile(`${fontDir}/DejaVuSans.ttf`),
  await Deno.readFile(`${fontDir}/DejaVuSans-Bold.ttf`),
];

/** A rendered image and its size in CSS pixels (half its pixels at the default scale of 2). */
export interface Png {
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * Renders an SVG document to PNG at `scale` device pixels per CSS pixel (2: sharp on high-density
 * screens). Every `sans-serif` text is drawn in DejaVu Sans.
 *
 * @example
 * ```ts
 * import { svgToPng } from "./png.ts";
 * const png = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>');
 * // png.width === 10, png.bytes holds 20 x 10 pixels
 * ```
 */
export function svgToPng(svg: string, scale = 2): Png {
  let r: InstanceType<typeof Resvg>;
  try {
    r = new Resvg(svg, {
      fitTo: { mode: "zoom", value: scale },
      font: {
        fontBuffers: FONTS,
        loadSystemFonts: false,
        defaultFontFamily: "DejaVu Sans",
        sansSerifFamily: "DejaVu Sans",
      },
    });
  } catch (e) {
    throw new Error(`Cannot render the chart as PNG: ${(e as Error).message}`);
  }
  const width = r.width, height = r.height;
  const bytes = r.render().asPng();
  r.free();
  return { bytes, width, height };
}
