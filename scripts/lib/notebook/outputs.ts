/**
 * What an executed notebook shows a reader, read from its JSON: error outputs, the tables it
 * shows (with their rows) and its charts (PNG images), each with the cell it belongs to. The
 * notebook test holds every notebook to what its committed version shows.
 *
 * @module
 */
/** The parts of the notebook format this reads. */
export interface NotebookJson {
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: {
      output_type: string;
      ename?: string;
      evalue?: string;
      data?: Record<string, string | string[]>;
    }[];
  }[];
}

/** Where an output is: the code cell's number (1-based, as JupyterLab counts) and first line. */
export interface CellRef {
  cell: number;
  firstLine: string;
}

/** What a notebook shows. */
export interface NotebookOutputs {
  errors: (CellRef & { error: string })[];
  tables: (CellRef & { caption: string; rows: number })[];
  charts: (CellRef & { bytes: number; png: boolean })[];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const text = (v: string | string[] | undefined) => Array.isArray(v) ? v.join("") : v ?? "";

/**
 * Reads the outputs of every code cell.
 *
 * @example
 * ```ts
 * import { readOutputs } from "./outputs.ts";
 * const html = "<table><caption>c</caption><tbody><tr><td>1</td></tr></tbody></table>";
 * readOutputs({
 *   cells: [{
 *     cell_type: "code",
 *     source: "showTable(rows)",
 *     outputs: [{ output_type: "display_data", data: { "text/html": html } }],
 *   }],
 * }).tables; // [{ cell: 1, firstLine: "showTable(rows)", caption: "c", rows: 1 }]
 * ```
 */
export function readOutputs(nb: NotebookJson): NotebookOutputs {
  const out: NotebookOutputs = { errors: [], tables: [], charts: [] };
  let n = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    const ref = { cell: ++n, firstLine: text(cell.source).split("\n")[0] };
    for (const o of cell.outputs ?? []) {
      if (o.output_type === "error") {
        out.errors.push({ ...ref, error: `${o.ename}: ${o.evalue}` });
        continue;
      }
      const html = text(o.data?.["text/html"]);
      if (html.includes("<table")) {
        const body = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
        out.tables.push({
          ...ref,
          caption: /<caption>(.*?)<\/caption>/.exec(html)?.[1] ?? "",
          rows: body.split("<tr>").length - 1,
        });
      }
      const png = o.data?.["image/png"];
      if (png !== undefined) {
        const bytes = Uint8Array.from(atob(text(png).replace(/\s/g, "")), (c) => c.charCodeAt(0));
        out.charts.push({
          ...ref,
          bytes: bytes.length,
          png: PNG_SIGNATURE.every((b, i) => bytes[i] === b),
        });
      }
    }
  }
  return out;
}

/**
 * What a fresh run lacks against the committed notebook: an error, a table without rows, fewer
 * tables or charts than the committed version shows, or a chart that is not a drawn PNG. Empty
 * when the run shows a reader all the committed notebook promises.
 *
 * @example
 * ```ts
 * import { missingOutputs } from "./outputs.ts";
 * const none = { errors: [], tables: [], charts: [] };
 * missingOutputs(none, { ...none, errors: [{ cell: 2, firstLine: "x", error: "E: boom" }] });
 * // ["cell 2 (x): E: boom"]
 * ```
 */
export function missingOutputs(committed: NotebookOutputs, fresh: NotebookOutputs): string[] {
  const where = (r: CellRef) => `cell ${r.cell} (${r.firstLine})`;
  const problems = fresh.errors.map((e) => `${where(e)}: ${e.error}`);
  for (const t of fresh.tables) {
    if (t.rows === 0) problems.push(`${where(t)}: table "${t.caption}" has no rows`);
  }
  for (const c of fresh.charts) {
    // A PNG of a chart with its axes and labels is several KiB; a blank one is tiny.
    if (!c.png || c.bytes < 2048) problems.push(`${where(c)}: the chart is not a drawn PNG`);
  }
  if (fresh.tables.length < committed.tables.length) {
    problems.push(
      `${fresh.tables.length} tables shown, the committed notebook shows ${committed.tables.length}`,
    );
  }
  if (fresh.charts.length < committed.charts.length) {
    problems.push(
      `${fresh.charts.length} charts shown, the committed notebook shows ${committed.charts.length}`,
    );
  }
  return problems;
}
