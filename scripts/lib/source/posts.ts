/**
 * Reads posts from the source database: the aligned pin, geo and user rows of one key, fetched
 * by key with parameterised queries over one pool, datetimes rewritten as ISO-8601 text.
 *
 * @module
 */
import mysql from "mysql2/promise";
import type { Config } from "../core/config.ts";
import { explainMysqlError, sourcePool } from "./mysql.ts";
import { type Kind, KINDS, SOURCE_TABLES } from "../core/names.ts";
import { isoDatetime } from "../core/time.ts";

/** One source row as sent on the wire. */
export type SourceRow = Record<string, unknown>;

/** The three rows of one post. */
export type SourcePost = { key: number } & Record<Kind, SourceRow>;

const KEY_COLUMN: Record<Kind, string> = { pin: "`index`", geo: "ind", user: "ind" };
const DATETIME_TYPES = new Set([mysql.Types.DATETIME, mysql.Types.TIMESTAMP]);

/** The source tables of one database, read by key. */
export class SourcePosts {
  private constructor(
    private readonly cfg: Config,
    private readonly pool: mysql.Pool,
    /** Smallest key of `pinterest_data`. */
    readonly min: number,
    /** Largest key of `pinterest_data`. */
    readonly max: number,
  ) {}

  /**
   * Opens a pool and reads the key range of `pinterest_data`.
   *
   * @example
   * ```ts ignore
   * const source = await SourcePosts.open(cfg);
   * const posts = await source.read([7528, 5730]);
   * await source.close();
   * ```
   */
  static async open(cfg: Config, opts: { connections?: number } = {}): Promise<SourcePosts> {
    const pool = sourcePool(cfg, { connections: opts.connections });
    try {
      const [rows] = await pool.query(
        `select min(${KEY_COLUMN.pin}) as lo, max(${KEY_COLUMN.pin}) as hi from ${SOURCE_TABLES.pin}`,
      );
      const { lo, hi } = (rows as { lo: number | null; hi: number | null }[])[0];
      if (lo === null || hi === null) {
        throw new Error(
          `Source table ${SOURCE_TABLES.pin} is empty; fill it with \`deno task db:seed\``,
        );
      }
      return new SourcePosts(cfg, pool, Number(lo), Number(hi));
    } catch (e) {
      await pool.end();
      throw explainMysqlError(cfg, e);
    }
  }

  /**
   * Reads the posts of `keys` (duplicates allowed); a key missing from any table has no entry.
   */
  async read(keys: number[]): Promise<Map<number, SourcePost>> {
    const unique = [...new Set(keys)];
    const byKind = await Promise.all(KINDS.map((k) => this.rows(k, unique)));
    const posts = new Map<number, SourcePost>();
    for (const key of unique) {
      const [pin, geo, user] = byKind.map((m) => m.get(key));
      if (pin && geo && user) posts.set(key, { key, pin, geo, user });
    }
    return posts;
  }

  private async rows(kind: Kind, keys: number[]): Promise<Map<number, SourceRow>> {
    const col = KEY_COLUMN[kind];
    let rows: unknown, fields: mysql.FieldPacket[];
    try {
      [rows, fields] = await this.pool.query(
        `select * from ${SOURCE_TABLES[kind]} where ${col} in (?)`,
        [keys],
      );
    } catch (e) {
      throw explainMysqlError(this.cfg, e);
    }
    const datetimes = fields.filter((f) => DATETIME_TYPES.has(f.columnType ?? f.type!))
      .map((f) => f.name);
    const key = col.replaceAll("`", "");
    const out = new Map<number, SourceRow>();
    for (const row of rows as SourceRow[]) {
      for (const d of datetimes) {
        if (typeof row[d] === "string") row[d] = isoDatetime(row[d] as string);
      }
      out.set(Number(row[key]), row);
    }
    return out;
  }

  /** Closes the pool. */
  async close(): Promise<void> {
    await this.pool.end();
  }
}
