/**
 * Fills the source database with the synthetic dataset: the docs/spec.md §2 schema, then one `LOAD
 * DATA LOCAL INFILE` per table streamed straight from the generator (no temp files).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import type { Config } from "../core/config.ts";
import { explainMysqlError, sourcePool } from "./mysql.ts";
import { geoRow, pinRow, userRow } from "./synthetic.ts";
import { KINDS, SOURCE_TABLES } from "../core/names.ts";
import { SCHEMA_FILE, sourceColumns } from "./schema.ts";
import { sleep } from "../core/time.ts";

/** Options of {@linkcode seedSource}. */
export interface SeedOptions {
  rows: number;
  seed: number;
  /** Called as rows are generated, with the total across the three tables. */
  onProgress?: (done: number, total: number) => void;
}

/** What a seed did. */
export interface SeedReport {
  rows: number;
  seed: number;
  seconds: number;
  counts: Record<string, number>;
}

/** Splits a SQL file into statements (no semicolons inside literals in our files). */
export function statements(sql: string): string[] {
  return sql.split("\n").filter((l) => !l.trimStart().startsWith("--")).join("\n")
    .split(";").map((s) => s.trim()).filter(Boolean);
}

function field(v: string | number): string {
  return typeof v === "number"
    ? String(v)
    : v.replace(/[\\\t\n]/g, (c) => c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\\\");
}

/** The column list of a table, from the schema (quoted: `index` is a reserved word). */
function columnList(table: string): string {
  const kind = KINDS.find((k) => SOURCE_TABLES[k] === table)!;
  return sourceColumns()[kind].map((c) => `\`${c.name}\``).join(", ");
}

const ROW = {
  [SOURCE_TABLES.pin]: (seed: number, k: number) => Object.values(pinRow(seed, k)),
  [SOURCE_TABLES.geo]: (seed: number, k: number) => Object.values(geoRow(seed, k)),
  [SOURCE_TABLES.user]: (seed: number, k: number) => Object.values(userRow(seed, k)),
};

/** Creates the database and tables afresh and loads `rows` generated rows into each. */
export async function seedSource(cfg: Config, opts: SeedOptions): Promise<SeedReport> {
  const started = performance.now();
  const admin = sourcePool(cfg, { noDatabase: true, connections: 1 });
  try {
    await admin.query(`create database if not exists \`${cfg.mysql.database}\``);
  } catch (e) {
    throw explainMysqlError(cfg, e);
  } finally {
    await admin.end();
  }
  const pool = sourcePool(cfg, { connections: 3 });
  const total = opts.rows * 3;
  let done = 0;
  try {
    for (const t of Object.values(SOURCE_TABLES)) await pool.query(`drop table if exists ${t}`);
    for (const s of statements(await Deno.readTextFile(SCHEMA_FILE))) await pool.query(s);
    await Promise.all(
      Object.values(SOURCE_TABLES).map(async (table) => {
        const make = ROW[table];
        const chunk = 2000;
        async function* lines() {
          for (let k = 0; k < opts.rows; k += chunk) {
            let text = "";
            const end = Math.min(opts.rows, k + chunk);
            for (let i = k; i < end; i++) text += make(opts.seed, i).map(field).join("\t") + "\n";
            done += end - k;
            opts.onProgress?.(done, total);
            yield Buffer.from(text);
            // Let the other tables' generators and the socket writes interleave.
            await sleep(0);
          }
        }
        const conn = await pool.getConnection();
        try {
          await conn.query({
            sql: `load data local infile 'generated:${table}' into table ${table} ` +
              `character set utf8mb4 fields terminated by '\\t' escaped by '\\\\' ` +
              `lines terminated by '\\n' (${columnList(table)})`,
            infileStreamFactory: () => Readable.from(lines()),
          });
        } finally {
          conn.release();
        }
      }),
    );
    const counts: Record<string, number> = {};
    for (const t of Object.values(SOURCE_TABLES)) {
      const [rows] = await pool.query(`select count(*) as n from ${t}`);
      counts[t] = Number((rows as { n: number }[])[0].n);
    }
    return {
      rows: opts.rows,
      seed: opts.seed,
      seconds: (performance.now() - started) / 1000,
      counts,
    };
  } catch (e) {
    throw explainMysqlError(cfg, e);
  } finally {
    await pool.end();
  }
}
