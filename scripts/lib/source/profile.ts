/**
 * Reads and profiles the source database: sample rows, and how dirty each column is.
 *
 * @module
 */
import { FOLLOWER_DIGITS, FOLLOWER_SUFFIXED } from "./follower_count.ts";
import type { Pool } from "mysql2/promise";
import { SOURCE_TABLES } from "../core/names.ts";
import { PLACEHOLDERS } from "./synthetic.ts";

/** One placeholder (or empty string) and how many rows hold it. */
export interface PlaceholderCount {
  column: string;
  value: string;
  rows: number;
}

/** The first `limit` rows of a source table, by key. */
export async function sampleRows(
  pool: Pool,
  table: string,
  limit = 10,
): Promise<Record<string, unknown>[]> {
  if (!Object.values(SOURCE_TABLES).includes(table)) {
    throw new Error(
      `Unknown source table ${table}: choose one of ${Object.values(SOURCE_TABLES).join(", ")}`,
    );
  }
  const key = table === SOURCE_TABLES.pin ? "`index`" : "ind";
  const [rows] = await pool.query(`select * from ${table} order by ${key} limit ?`, [limit]);
  return rows as Record<string, unknown>[];
}

const CHECKS: [string, string][] = [
  ["title", PLACEHOLDERS.title],
  ["description", PLACEHOLDERS.descriptionStory],
  ["description", PLACEHOLDERS.description],
  ["description", PLACEHOLDERS.untitled],
  ["poster_name", PLACEHOLDERS.userInfoError],
  ["follower_count", PLACEHOLDERS.userInfoError],
  ["tag_list", PLACEHOLDERS.tagList],
  ["image_src", PLACEHOLDERS.imageSrc],
  ["title", ""],
  ["description", ""],
  ["tag_list", ""],
  ["follower_count", ""],
];

/** Counts every placeholder of docs/spec.md §2 (and empty strings) in `pinterest_data`. */
export async function placeholderCounts(pool: Pool): Promise<PlaceholderCount[]> {
  const select = CHECKS.map(([c], i) => `sum(${c} = ?) as c${i}`).join(", ");
  const [rows] = await pool.query(
    `select ${select} from ${SOURCE_TABLES.pin}`,
    CHECKS.map(([, v]) => v),
  );
  const r = (rows as Record<string, string>[])[0];
  return CHECKS.map(([column, value], i) => ({ column, value, rows: Number(r[`c${i}`] ?? 0) }));
}

/** Counts of each `follower_count` form (follower_count.ts): `<n>k`, `<n>M`, digits, `0`, error, empty, other. */
export async function followerForms(pool: Pool): Promise<{ form: string; rows: number }[]> {
  const [rows] = await pool.query(
    `select case
       when follower_count = '0' then '0'
       when follower_count regexp ? then 'digits'
       when follower_count regexp ? and upper(right(follower_count, 1)) = 'K' then '<n>k'
       when follower_count regexp ? then '<n>M'
       when follower_count = ? then ?
       when follower_count = '' then '(empty)'
       else 'other'
     end as form, count(*) as n
     from ${SOURCE_TABLES.pin} group by form order by n desc`,
    [
      FOLLOWER_DIGITS,
      FOLLOWER_SUFFIXED,
      FOLLOWER_SUFFIXED,
      PLACEHOLDERS.userInfoError,
      PLACEHOLDERS.userInfoError,
    ],
  );
  return (rows as { form: string; n: number }[]).map((r) => ({ form: r.form, rows: Number(r.n) }));
}
