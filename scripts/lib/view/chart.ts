/**
 * Charts as standalone SVG strings: rendered by GitHub in committed notebooks (no JavaScript
 * runs there) and by any browser.
 *
 * @module
 */

/** Options of {@linkcode barChart}. */
export interface BarChartOptions {
  title: string;
  labels: string[];
  values: number[];
  /** Axis label under the bars. */
  unit?: string;
  width?: number;
  barColor?: string;
}

/** Width of one character of 12 px DejaVu Sans (what the PNG is drawn with), a little generous. */
const CHAR_WIDTH = 7.3;

function esc(s: string): string {
  return s.replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

/**
 * A horizontal bar chart, one bar per label, with the value written at the end of each bar.
 *
 * @example
 * ```ts
 * const svg = barChart({ title: "Forms", labels: ["k", "M"], values: [74, 7] });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function barChart(opts: BarChartOptions): string {
  if (opts.labels.length !== opts.values.length) {
    throw new Error(
      `Cannot draw ${opts.title}: ${opts.labels.length} labels but ${opts.values.length} values`,
    );
  }
  const width = opts.width ?? 640;
  const bar = 22, gap = 6, top = 40;
  // Labels take at most 45% of the width; a longer one is cut with an ellipsis, not clipped at
  // the image's edge.
  const fits = Math.floor((width * 0.45 - 20) / CHAR_WIDTH);
  const labels = opts.labels.map((l) => l.length > fits ? `${l.slice(0, fits - 1)}…` : l);
  const left = Math.ceil(20 + CHAR_WIDTH * Math.max(4, ...labels.map((l) => l.length)));
  const height = top + opts.labels.length * (bar + gap) + 30;
  const max = Math.max(1, ...opts.values);
  const plot = width - left - 80;
  const rows = labels.map((label, i) => {
    const y = top + i * (bar + gap);
    const w = Math.max(1, (opts.values[i] / max) * plot);
    return `<text x="${left - 8}" y="${y + bar * 0.7}" text-anchor="end">${esc(label)}</text>` +
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${
        opts.barColor ?? "#e60023"
      }"/>` +
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + bar * 0.7}">${
        opts.values[i].toLocaleString("en-US")
      }</text>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${
      esc(opts.title)
    }</text>` +
    rows +
    (opts.unit
      ? `<text x="${left + plot / 2}" y="${height - 8}" text-anchor="middle" fill="#555">${
        esc(opts.unit)
      }</text>`
      : "") +
    `</svg>`;
}
