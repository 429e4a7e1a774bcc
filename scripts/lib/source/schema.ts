/**
 * The record contract, read from its one definition, `sql/source/schema.sql`: the fields of each
 * source table, in column order. The seed writes these columns, the generator's rows carry them
 * (checked by `schema_test.ts`), the Spark drivers read the raw lake with them
 * (`scripts/spark/common.py` parses the same file) and the Databricks runner reads them as text.
 *
 * @module
 */
import { type Kind, KINDS, SOURCE_TABLES } from "../core/names.ts";
import { SQL_DIR } from "../core/paths.ts";

/** One column of a source table. */
export interface Column {
  name: string;
  /** Its SQL type as the DDL writes it, e.g. `varchar(36)`. */
  type: string;
}

/** The DDL file of the source tables. */
export const SCHEMA_FILE = `${SQL_DIR}/source/schema.sql`;

/**
 * The columns of each table in a `create table` script, by table name.
 *
 * @example
 * ```ts
 * import { parseSchema } from "./schema.ts";
 * parseSchema("create table t (\n  `index` int not null primary key,\n  title text\n);");
 * // { t: [{ name: "index", type: "int" }, { name: "title", type: "text" }] }
 * ```
 */
export function parseSchema(sql: string): Record<string, Column[]> {
  const tables: Record<string, Column[]> = {};
  for (const m of sql.matchAll(/create table (\w+) \(([^;]*)\);/g)) {
    tables[m[1]] = m[2].split("\n").map((l) => l.trim().replace(/,$/, ""))
      .filter((l) => l && !l.startsWith("--"))
      .map((l) => {
        const [name, type] = l.split(/\s+/);
        return { name: name.replaceAll("`", ""), type };
      });
  }
  return tables;
}

let columns: Record<Kind, Column[]> | undefined;

/**
 * The columns of each kind's source table, read from {@linkcode SCHEMA_FILE} on first use (not
 * when a module importing this one loads).
 */
export function sourceColumns(): Record<Kind, Column[]> {
  if (columns) return columns;
  const tables = parseSchema(Deno.readTextFileSync(SCHEMA_FILE));
  columns = Object.fromEntries(KINDS.map((k) => {
    const table = tables[SOURCE_TABLES[k]];
    if (!table?.length) {
      throw new Error(`${SCHEMA_FILE} defines no table ${SOURCE_TABLES[k]} (the ${k} records)`);
    }
    return [k, table];
  })) as Record<Kind, Column[]>;
  return columns;
}

/**
 * The field names of one kind's records, in column order.
 *
 * @example
 * ```ts
 * import { fieldNames } from "./schema.ts";
 * fieldNames("geo"); // ["ind", "timestamp", "latitude", "longitude", "country"]
 * ```
 */
export function fieldNames(kind: Kind): string[] {
  return sourceColumns()[kind].map((c) => c.name);
}
