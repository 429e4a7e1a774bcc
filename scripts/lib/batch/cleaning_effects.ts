/**
 * What cleaning did, measured by comparing raw lake rows with the cleaned rows Spark returns
 * (the rules themselves live only in sql/clean).
 *
 * @module
 */

type Row = Record<string, unknown>;

/** The effect on one column. */
export interface ColumnEffect {
  column: string;
  /** Raw values that were present (not null, not missing). */
  present: number;
  /** Present raw values that cleaning turned into null. */
  nulled: number;
  /** Present raw values that came out different but not null (parsed, trimmed, typed). */
  converted: number;
  /** The most common raw values that were nulled, with counts. */
  nulledValues: [string, number][];
}

function key(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * Compares raw and cleaned rows matched on `rawKey`/`cleanKey` (rows without a match, such as
 * removed duplicates, are not compared). `columns` maps a cleaned column to its raw column.
 *
 * @example
 * ```ts
 * const e = cleaningEffects([{ index: 1, title: "" }], [{ ind: 1, title: null }], "index", "ind", { title: "title" });
 * e[0].nulled; // 1
 * ```
 */
export function cleaningEffects(
  raw: Row[],
  cleaned: Row[],
  rawKey: string,
  cleanKey: string,
  columns: Record<string, string>,
): ColumnEffect[] {
  const byKey = new Map<string, Row>();
  for (const r of raw) {
    const k = key(r[rawKey]);
    if (!byKey.has(k)) byKey.set(k, r);
  }
  return Object.entries(columns).map(([column, rawColumn]) => {
    let present = 0, nulled = 0, converted = 0;
    const values = new Map<string, number>();
    for (const c of cleaned) {
      const r = byKey.get(key(c[cleanKey]));
      const before = r?.[rawColumn];
      if (before === undefined || before === null) continue;
      present++;
      const after = c[column];
      if (after === null || after === undefined) {
        nulled++;
        values.set(key(before), (values.get(key(before)) ?? 0) + 1);
      } else if (key(after) !== key(before)) converted++;
    }
    const nulledValues = [...values.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    return { column, present, nulled, converted, nulledValues };
  });
}
