/**
 * Plain-text tables for the terminal.
 *
 * @module
 */

/**
 * Renders rows as a fixed-width table with a header line.
 *
 * @example
 * ```ts
 * console.log(table([{ topic: "x.pin", partitions: 1 }]));
 * ```
 */
export function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(no rows)";
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [
    line(cols),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r[c])))),
  ]
    .join("\n");
}
