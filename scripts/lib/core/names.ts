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
  /** The Kafka Connect S3 sink connector (locally and on MSK Connect). */
  connector: string;
  /** Names of the AWS deployment (scripts/lib/aws). */
  aws: AwsNames;
}

/** The CloudFormation stacks of the AWS deployment, in deploy order. */
export const AWS_STACK_PARTS = ["base", "services"] as const;
/** One of {@linkcode AWS_STACK_PARTS}. */
export type AwsStackPart = typeof AWS_STACK_PARTS[number];

/** Names of the AWS deployment's stacks and of the resources a person looks up by name. */
export interface AwsNames {
  stacks: Record<AwsStackPart, string>;
  mskCluster: string;
  dbInstance: string;
  restProxyHost: string;
  api: string;
  mwaaEnvironment: string;
  mwaaBucket: string;
  databricksRole: string;
}

const USER_ID = new RegExp(NAMES.user_id_pattern);

/** One template of dags/names.json filled in. */
function fill(template: string, userId: string, kind = ""): string {
  return template.replaceAll("{user_id}", userId).replaceAll("{kind}", kind);
}

function awsNames(userId: string): AwsNames {
  const a = NAMES.aws;
  return {
    stacks: Object.fromEntries(
      AWS_STACK_PARTS.map((part) => [part, fill(a.stack, userId).replaceAll("{part}", part)]),
    ) as Record<AwsStackPart, string>,
    mskCluster: fill(a.msk_cluster, userId),
    dbInstance: fill(a.db_instance, userId),
    restProxyHost: fill(a.rest_proxy_host, userId),
    api: fill(a.api, userId),
    mwaaEnvironment: fill(a.mwaa_environment, userId),
    mwaaBucket: fill(a.mwaa_bucket, userId),
    databricksRole: fill(a.databricks_role, userId),
  };
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
    connector: fill(NAMES.connector, userId),
    aws: awsNames(userId),
  };
}
