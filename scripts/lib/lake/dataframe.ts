/**
 * Raw lake rows as a danfojs DataFrame, for the notebooks. Apart from lake.ts because danfojs is
 * 37 MB of modules: every task that sizes or reads the lake (`deno task batch`, each DAG task)
 * would load it at start.
 *
 * @module
 */
import { DataFrame } from "danfojs";
import type { RawRow } from "./lake.ts";

/**
 * Builds a danfojs DataFrame from rows whose keys may differ: the columns are `columns`, or
 * every key in first-seen order, and a missing field becomes null.
 *
 * @example
 * ```ts
 * const df = toDataFrame([{ ind: 1, country: "Albania" }, { ind: 2 }]);
 * df.columns; // ["ind", "country"]
 * ```
 */
export function toDataFrame(rows: RawRow[], columns?: string[]): DataFrame {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return new DataFrame(rows.map((r) => cols.map((c) => r[c] ?? null)), { columns: cols });
}
