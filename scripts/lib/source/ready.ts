/**
 * Makes sure the source database holds posts before something reads it (a notebook started on a
 * fresh stack): seeds it when a table is missing or empty, and leaves it alone otherwise, so
 * re-running is harmless and never replaces data someone seeded on purpose.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { explainMysqlError, sourcePool } from "./mysql.ts";
import { SOURCE_TABLES } from "../core/names.ts";
import { seedSource } from "./seed.ts";
import { DEFAULT_ROWS } from "./synthetic.ts";

/** What {@linkcode ensureSource} found or did. */
export interface SourceReady {
  status: "present" | "seeded";
  /** Rows of each source table now. */
  counts: Record<string, number>;
}

async function counts(cfg: Config): Promise<Record<string, number> | undefined> {
  const pool = sourcePool(cfg, { connections: 1 });
  try {
    const out: Record<string, number> = {};
    for (const t of Object.values(SOURCE_TABLES)) {
      const [rows] = await pool.query(`select count(*) as n from ${t}`);
      out[t] = Number((rows as { n: number }[])[0].n);
    }
    return out;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ER_BAD_DB_ERROR" || code === "ER_NO_SUCH_TABLE") return undefined;
    throw explainMysqlError(cfg, e);
  } finally {
    await pool.end();
  }
}

/**
 * Seeds the source (default size, seed 1 unless given) when any table is missing or empty.
 *
 * @example
 * ```ts ignore
 * const { status, counts } = await ensureSource(cfg);
 * status; // "present" when db:seed ran before, else "seeded"
 * ```
 */
export async function ensureSource(
  cfg: Config,
  opts: { rows?: number; seed?: number } = {},
): Promise<SourceReady> {
  const now = await counts(cfg);
  if (now && Object.values(now).every((n) => n > 0)) return { status: "present", counts: now };
  const report = await seedSource(cfg, { rows: opts.rows ?? DEFAULT_ROWS, seed: opts.seed ?? 1 });
  return { status: "seeded", counts: report.counts };
}
