/**
 * Every name of docs/spec.md §1, derived from one `user_id` by the templates of dags/names.json
 * (the one definition, which the DAG reads too). Nothing else in the project spells a topic,
 * bucket, stream, DAG or table name by hand.
 *
 * @module
 */
import NAMES from "../../../dags/names.json" with { type: "json" };

/** The three record kinds of the pipeline, in source order. */
export const KINDS = ["pin", "geo", "user"] as const;
/** One of {@linkcode KINDS}. */
export type Kind = typeof KINDS[number];

/** Source tables of docs/spec.md §2, by kind. */
export const SOURCE_TABLES: Record<Kind, string> = NAMES.source_tables;

/** Every derived name of docs/spec.md §1. */
export interface Names {
  userId: string;
  topics: Record<Kind, string>;
  topicsRegex: string;
  bucket: string;
  streams: Record<Kind, string>;
  dagId: string;
  dagFile: string;
  streamTables: Record<Kind, string>;
  /** The IAM role the API's Kinesis integrations assume. */
  apiKinesisRole: string;
}

const USER_ID = new RegExp(NAMES.user_id_pattern);

/** One template of dags/names.json filled in. */
function fill(template: string, userId: string, kind = ""): string {
  return template.replaceAll("{user_id}", userId).replaceAll("{kind}", kind);
}

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
    topics: per((k) => fill(NAMES.topic, userId, k)),
    // Every topic of the user: the topic template with any kind.
    topicsRegex: NAMES.topic.split("{kind}").map((part) =>
      fill(part, userId).replaceAll(".", "\\.")
    ).join(".*"),
    bucket: fill(NAMES.bucket, userId),
    streams: per((k) => fill(NAMES.stream, userId, k)),
    dagId: fill(NAMES.dag_id, userId),
    dagFile: fill(NAMES.dag_file, userId),
    streamTables: per((k) => fill(NAMES.stream_table, userId, k)),
    apiKinesisRole: fill(NAMES.api_kinesis_role, userId),
  };
}
