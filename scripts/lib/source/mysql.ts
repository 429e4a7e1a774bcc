/**
 * Connections to the source database (MariaDB locally, RDS MySQL on AWS): one pool per process.
 *
 * @module
 */
import mysql from "mysql2/promise";
import type { Config } from "../core/config.ts";

/** Options for {@linkcode sourcePool}. */
export interface PoolOptions {
  /** Connect without selecting the database (to create it). */
  noDatabase?: boolean;
  /** Maximum connections (default 4). */
  connections?: number;
}

/**
 * Opens a pool on the configured source database. Datetimes come back as text
 * (`YYYY-MM-DD HH:MM:SS`), never shifted by the local time zone.
 */
export function sourcePool(cfg: Config, opts: PoolOptions = {}): mysql.Pool {
  return mysql.createPool({
    host: cfg.mysql.host,
    port: cfg.mysql.port,
    user: cfg.mysql.user,
    password: cfg.mysql.password,
    database: opts.noDatabase ? undefined : cfg.mysql.database,
    connectionLimit: opts.connections ?? 4,
    dateStrings: true,
    multipleStatements: false,
    connectTimeout: 5000,
  });
}

/** Error codes of a source database that is down or restarting: worth waiting for. */
const UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_SERVER_SHUTDOWN",
  "ER_CONNECTION_KILLED",
  "ER_CON_COUNT_ERROR",
]);

/**
 * True when `e` (or its cause) says the source database is down or restarting, rather than
 * that the request itself is wrong: the emulator waits and retries these.
 *
 * @example
 * ```ts
 * isSourceUnavailable(Object.assign(new Error("x"), { code: "ECONNREFUSED" })); // true
 * ```
 */
export function isSourceUnavailable(e: unknown): boolean {
  for (let err = e as { code?: string; message?: string; cause?: unknown } | undefined; err;) {
    if (err.code && UNAVAILABLE.has(err.code)) return true;
    // mysql2 says this, with no code, of a pooled connection the server closed.
    if (/closed state|Connection lost/i.test(err.message ?? "")) return true;
    err = err.cause as typeof err;
  }
  return false;
}

/** Rewrites a connection failure into a message that says what to run; the cause is kept. */
export function explainMysqlError(cfg: Config, e: unknown): Error {
  const err = e as { code?: string; message?: string };
  const where = `${cfg.mysql.user}@${cfg.mysql.host}:${cfg.mysql.port}`;
  if (err.code === "ECONNREFUSED" || err.code === "ETIMEDOUT") {
    return new Error(
      `Cannot reach the source database at ${where}: ${err.code}` +
        (cfg.profile === "local" ? "; start it with `deno task stack:up`" : ""),
      { cause: e },
    );
  }
  if (err.code === "ER_BAD_DB_ERROR") {
    return new Error(
      `Database ${cfg.mysql.database} does not exist at ${where}; create it with \`deno task db:seed\``,
    );
  }
  if (err.code === "ER_NO_SUCH_TABLE") {
    return new Error(`${err.message} at ${where}; fill the source with \`deno task db:seed\``);
  }
  if (err.code === "ER_ACCESS_DENIED_ERROR") {
    return new Error(
      `Source database refused ${where}: check PIPELINE_MYSQL_USER/PIPELINE_MYSQL_PASSWORD`,
    );
  }
  return e instanceof Error ? e : new Error(String(e));
}
