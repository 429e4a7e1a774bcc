/**
 * Where the repository's own files are, found once from this module's place: every module that
 * reads sql/, the Spark drivers or pipeline.yaml takes its path from here.
 *
 * @module
 */

/** Repository root: the directory holding pipeline.yaml and deno.json. */
export const REPO_ROOT = decodeURIComponent(new URL("../../../", import.meta.url).pathname)
  .replace(/\/$/, "");

/** The SQL the engines run: `source/schema.sql`, `clean/<kind>.sql`, `analytics/*.sql`. */
export const SQL_DIR = `${REPO_ROOT}/sql`;

/** The Python drivers Spark runs (`batch_job.py`, `stream_job.py`, `common.py`). */
export const SPARK_DRIVERS_DIR = `${REPO_ROOT}/scripts/spark`;

/**
 * A path inside the repository.
 *
 * @example
 * ```ts
 * import { repoPath } from "./paths.ts";
 * repoPath("sql/source/schema.sql").endsWith("/sql/source/schema.sql"); // true
 * ```
 */
export function repoPath(relative: string): string {
  return `${REPO_ROOT}/${relative}`;
}
