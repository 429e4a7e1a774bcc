/**
 * Line charts as standalone SVG strings (GitHub renders them in committed notebooks): one line
 * per series over a shared x axis, such as rows in each table over time.
 *
 * @module
 */

/** One line: its name (in the legend) and its points. */
export interface Series {
  name: string;
  points: [x: number, y: number][];
  color?: string;
}

/** Options of {@linkcode lineChart}. */
export interface LineChartOptions {
  title: string;
  series: Series[];
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

const COLORS = ["#e60023", "#0a7cff", "#1a9e4b", "#9b51e0", "#f2994a"];

function esc(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

function nice(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

/**
 * A line chart with axes, four grid lines and a legend.
 *
 * @example
 * ```ts
 * const svg = lineChart({ title: "Rows", series: [{ name: "pin", points: [[0, 0], [2, 50]] }] });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 320;
  // The legend sits right of the plot: as wide as its longest name (12 px DejaVu Sans, about
  // 7.3 px a character) up to a third of the chart, longer names cut with an ellipsis.
  const fits = Math.floor((width / 3 - 42) / 7.3);
  const names = opts.series.map((s) =>
    s.name.length > fits ? `${s.name.slice(0, fits - 1)}…` : s.name
  );
  const right = Math.ceil(42 + 7.3 * Math.max(6, ...names.map((n) => n.length)));
  const [left, top, bottom] = [60, 40, 44];
  const xs = opts.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = opts.series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = nice(Math.max(1, ...xs));
  const yMax = nice(Math.max(1, ...ys));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const px = (x: number) => (left + (x / xMax) * plotW).toFixed(1);
  const py = (y: number) => (top + plotH - (y / yMax) * plotH).toFixed(1);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = f * yMax;
    return `<line x1="${left}" x2="${left + plotW}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>` +
      `<text x="${left - 6}" y="${py(y)}" dy="4" text-anchor="end">${
        y.toLocaleString("en-US", { maximumFractionDigits: 1 })
      }</text>` +
      `<text x="${px(f * xMax)}" y="${top + plotH + 16}" text-anchor="middle">${
        (f * xMax).toLocaleString("en-US", { maximumFractionDigits: 1 })
      }</text>`;
  }).join("");
  const lines = opts.series.map((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const d = s.points.map(([x, y], j) => `${j ? "L" : "M"}${px(x)},${py(y)}`).join(" ");
    const ly = top + 14 + i * 18;
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>` +
      `<rect x="${left + plotW + 12}" y="${ly - 9}" width="12" height="3" fill="${color}"/>` +
      `<text x="${left + plotW + 30}" y="${ly - 4}">${esc(names[i])}</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${
      esc(opts.title)
    }</text>${grid}` +
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#555"/>` +
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${
      top + plotH
    }" stroke="#555"/>` +
    lines +
    (opts.xLabel
      ? `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" fill="#555">${
        esc(opts.xLabel)
      }</text>`
      : "") +
    (opts.yLabel
      ? `<text x="14" y="${
        top + plotH / 2
      }" text-anchor="middle" fill="#555" transform="rotate(-90 14 ${top + plotH / 2})">${
        esc(opts.yLabel)
      }</text>`
      : "") +
    `</svg>`;
}
