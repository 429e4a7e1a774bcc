/**
 * What a Spark job's JSON must hold, read from its one definition, scripts/spark/job_keys.json,
 * which the drivers check too: the builders of the batch and stream jobs are tested against it
 * (`job_keys_test.ts`), and so are the DAG's Databricks jobs (tests/airflow_test.ts).
 *
 * @module
 */
import jobKeys from "../../spark/job_keys.json" with { type: "json" };

/** The keys of job_keys.json. */
export interface JobKeys {
  /** By batch driver mode. */
  batch: Record<string, string[]>;
  stream: string[];
  /** Also required when the driver starts its own session (not on Databricks). */
  own_session: string[];
}

/** The required keys, as the drivers read them. */
export const JOB_KEYS: JobKeys = jobKeys;

/**
 * The required keys a job lacks (none: an empty list).
 *
 * @example
 * ```ts
 * import { missingJobKeys } from "./job_keys.ts";
 * missingJobKeys({ mode: "clean", out: "/tmp/o", jars: [] }); // ["sql_dir"]
 * ```
 */
export function missingJobKeys(job: Record<string, unknown>): string[] {
  const required = "streams" in job ? JOB_KEYS.stream : [
    ...(JOB_KEYS.batch[String(job.mode ?? "batch")] ?? []),
    ...(job.session === "existing" ? [] : JOB_KEYS.own_session),
  ];
  return required.filter((k) => job[k] === undefined);
}
