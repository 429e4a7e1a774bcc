/**
 * Rich notebook output with plain-text fallbacks (GitHub shows HTML tables and images but runs no
 * JavaScript). Charts go out as PNG: an SVG output is dropped by JupyterLab from a notebook it
 * does not trust (every committed notebook on another machine) and emptied by nbconvert's
 * sanitizer. Paths under the repository or the home directory are shown relative to them, so
 * committed outputs carry no path of the machine that ran them. Outside Jupyter the text form is
 * printed.
 *
 * @module
 */
import type { DataFrame } from "danfojs";
import { REPO_ROOT } from "../core/paths.ts";
import { svgToPng } from "./png.ts";
import { table } from "./table.ts";

type Row = Record<string, unknown>;

function text(v: unknown): string {
  if (v === null || v === undefined) return "null";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function esc(v: unknown): string {
  return text(v).replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

const HOME = Deno.env.get("HOME");

/**
 * `text` with the paths of this machine made relative: under the repository to the repository
 * (`file:///repo/.state/x` and `/repo/.state/x` become `.state/x`), under the home directory to
 * `~/`.
 *
 * @example
 * ```ts
 * import { relativePaths } from "./display.ts";
 * relativePaths("in file:///w/r/.state/b and /h/u/.cache/p", "/w/r", "/h/u");
 * // "in .state/b and ~/.cache/p"
 * ```
 */
export function relativePaths(text: string, root = REPO_ROOT, home = HOME): string {
  const out = text.replaceAll(`file://${root}/`, "").replaceAll(`${root}/`, "");
  return home && home !== "/" ? out.replaceAll(`${home}/`, "~/") : out;
}

type Jupyter = {
  broadcast(type: string, content: unknown): Promise<void>;
};

function emit(bundle: Record<string, string>, metadata: Record<string, unknown> = {}): void {
  const data = Object.fromEntries(
    Object.entries(bundle).map(([k, v]) => [k, k.startsWith("image/png") ? v : relativePaths(v)]),
  );
  const jupyter = (Deno as unknown as { jupyter?: Jupyter }).jupyter;
  // broadcast, not display(): display() sends no metadata, and a PNG needs its CSS size there.
  if (jupyter) jupyter.broadcast("display_data", { data, metadata, transient: {} });
  else console.log(data["text/plain"]);
}

/** Rows of a danfojs DataFrame as plain objects. */
export function dataFrameRows(df: DataFrame): Row[] {
  // Not danfojs toJSON: it breaks on a column named "index", which the course's pin rows have.
  const cols = df.columns;
  return (df.values as unknown[][]).map((v) => Object.fromEntries(cols.map((c, i) => [c, v[i]])));
}

/** Shows rows (or a DataFrame) as an HTML table with a text fallback, first `limit` rows. */
export function showTable(
  data: Row[] | DataFrame,
  opts: { caption?: string; limit?: number } = {},
): void {
  const rows = Array.isArray(data) ? data : dataFrameRows(data);
  const limit = opts.limit ?? 10;
  const shown = rows.slice(0, limit);
  const cols = shown.length ? Object.keys(shown[0]) : [];
  const more = rows.length > limit ? `${rows.length - limit} more rows` : "";
  const html = `<table>${opts.caption ? `<caption>${esc(opts.caption)}</caption>` : ""}<thead><tr>${
    cols.map((c) => `<th>${esc(c)}</th>`).join("")
  }</tr></thead><tbody>${
    shown.map((r) => `<tr>${cols.map((c) => `<td>${esc(r[c])}</td>`).join("")}</tr>`).join("")
  }</tbody></table>${more ? `<p>… ${more}</p>` : ""}`;
  const plain = (opts.caption ? `${opts.caption}\n` : "") +
    table(shown.map((r) => Object.fromEntries(cols.map((c) => [c, text(r[c]).slice(0, 40)])))) +
    (more ? `\n… ${more}` : "");
  emit({ "text/html": html, "text/plain": plain });
}

/**
 * Shows a chart drawn as SVG (chart.ts, line_chart.ts) as a PNG, twice the pixels of its size
 * for sharp high-density screens, with `description` as its text form.
 */
export function showChart(svg: string, description: string): void {
  const png = svgToPng(svg);
  emit(
    { "image/png": encodeBase64(png.bytes), "text/plain": description },
    { "image/png": { width: png.width, height: png.height } },
  );
}

function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Shows Markdown text. */
export function showMarkdown(md: string): void {
  emit({ "text/markdown": md, "text/plain": md });
}
