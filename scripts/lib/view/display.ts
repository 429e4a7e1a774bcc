/**
 * Rich notebook output with plain-text fallbacks (GitHub shows HTML tables and SVG but runs no
 * JavaScript). Outside Jupyter the text form is printed.
 *
 * @module
 */
import type { DataFrame } from "danfojs";
import { table } from "./table.ts";

type Row = Record<string, unknown>;

function text(v: unknown): string {
  if (v === null || v === undefined) return "null";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function esc(v: unknown): string {
  return text(v).replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

function emit(bundle: Record<string, string>): void {
  const jupyter =
    (Deno as unknown as { jupyter?: { display(b: unknown, o: { raw: boolean }): void } }).jupyter;
  if (jupyter) jupyter.display(bundle, { raw: true });
  else console.log(bundle["text/plain"]);
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

/** Shows an SVG image with a text description as fallback. */
export function showSvg(svg: string, description: string): void {
  emit({ "image/svg+xml": svg, "text/plain": description });
}

/** Shows Markdown text. */
export function showMarkdown(md: string): void {
  emit({ "text/markdown": md, "text/plain": md });
}
