/**
 * Every name of SPEC §1, derived from one `user_id`. Nothing else in the project spells a
 * topic, bucket, stream, DAG or table name by hand.
 *
 * @module
 */

/** The three record kinds of the pipeline, in source order. */
export const KINDS = ["pin", "geo", "user"] as const;
/** One of {@linkcode KINDS}. */
export type Kind = typeof KINDS[number];

/** Source tables of SPEC §2, by kind. */
export const SOURCE_TABLES: Record<Kind, string> = {
  pin: "pinterest_data",
  geo: "geolocation_data",
  user: "user_data",
};

/** Every derived name of SPEC §1. */
export interface Names {
  userId: string;
  topics: Record<Kind, string>;
  topicsRegex: string;
  bucket: string;
  streams: Record<Kind, string>;
  dagId: string;
  dagFile: string;
  streamTables: Record<Kind, string>;
}

const USER_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Checks a user id: lower-case letters, digits and dashes, so that the bucket name is valid S3.
 * Returns an error message, or undefined when the id is fine.
 */
export function checkUserId(userId: unknown): string | undefined {
  if (typeof userId !== "string" || !USER_ID.test(userId)) {
    return `must be 1-40 lower-case letters, digits or dashes (like 0a1b2c3d4e5f), got ${
      JSON.stringify(userId)
    }`;
  }
  return undefined;
}

/**
 * Derives every name from a user id.
 *
 * @example
 * ```ts
 * const n = names("0a1b2c3d4e5f");
 * n.topics.pin; // "0a1b2c3d4e5f.pin"
 * n.bucket; // "user-0a1b2c3d4e5f-bucket"
 * ```
 */
export function names(userId: string): Names {
  const problem = checkUserId(userId);
  if (problem) throw new Error(`Invalid user id: ${problem}`);
  const per = (f: (k: Kind) => string) =>
    Object.fromEntries(KINDS.map((k) => [k, f(k)])) as Record<Kind, string>;
  return {
    userId,
    topics: per((k) => `${userId}.${k}`),
    topicsRegex: `${userId.replaceAll(".", "\\.")}\\..*`,
    bucket: `user-${userId}-bucket`,
    streams: per((k) => `streaming-${userId}-${k}`),
    dagId: `${userId}_dag`,
    dagFile: `${userId}_dag.py`,
    streamTables: per((k) => `${userId}_${k}_table`),
  };
}
