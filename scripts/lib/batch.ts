/**
 * The batch processing of SPEC §4-6 on local Spark: mount the lake (s3a to MinIO, or a local
 * directory), clean with `sql/clean`, write Delta, run every `sql/analytics` query, write each
 * result as Delta and CSV. Used by `deno task batch` and the main job.
 *
 * @module
 */
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import type { Config } from "./config.ts";
import { explainS3Error, s3Client } from "./s3.ts";
import {
  runSparkJob,
  type SparkEvent,
  type SparkJob,
  type SparkReport,
  stepRows,
  toUri,
} from "./spark.ts";
import { stackContext } from "./stack/stack.ts";
import { table } from "./table.ts";

/** Environment a Databricks run needs (AWS profile). */
const DATABRICKS_ENV = ["DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_HTTP_PATH"];

/** Explains what the AWS profile needs; always throws. */
export function explainAws(cfg: Config): never {
  const missing = DATABRICKS_ENV.filter((k) => !Deno.env.get(k));
  const needs = [
    `The ${cfg.profile} profile runs the batch job on Databricks, which needs:`,
    "  DATABRICKS_HOST       workspace URL, e.g. https://dbc-1234.cloud.databricks.com",
    "  DATABRICKS_TOKEN      a personal access token",
    "  DATABRICKS_HTTP_PATH  the SQL warehouse or cluster HTTP path, e.g. /sql/1.0/warehouses/abc",
    `and the bucket s3://${cfg.names.bucket} mounted or readable from the workspace.`,
  ].join("\n");
  if (missing.length) {
    throw new Error(`Cannot run the batch job on Databricks: set ${missing.join(", ")}\n${needs}`);
  }
  throw new Error(
    "Cannot run the batch job on Databricks from this task yet: run sql/clean/*.sql, then " +
      `sql/analytics/*.sql, in a Databricks job over raw views raw_pin, raw_geo, raw_user\n${needs}`,
  );
}

/** Checks that the bucket answers before Spark spends seconds starting and retrying. */
async function checkBucket(cfg: Config, bucket: string): Promise<void> {
  const s3 = s3Client(cfg);
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) {
      throw new Error(
        `Cannot mount s3a://${bucket}: the bucket does not exist at ${cfg.s3.endpoint}; ` +
          "start the S3 sink and the batch emulator first, or pass --lake DIR",
      );
    }
    throw explainS3Error(cfg, `mount s3a://${bucket}`, e);
  } finally {
    s3.destroy();
  }
}

/** Prints Spark progress events as they arrive. */
export function printProgress(e: SparkEvent): void {
  if (e.event === "start") console.log(`  Spark ${e.spark} (${e.master}), ${e.mode} mode`);
  if (e.event !== "step") return;
  const what = [e.step, e.format, e.name].filter(Boolean).join(" ");
  const rows = e.rows === undefined ? "" : `, ${e.rows} rows`;
  console.log(`  ✔ ${what}${rows} in ${e.seconds.toFixed(1)} s`);
}

/** Options of {@linkcode runBatch}. */
export interface BatchOptions {
  /** Lake directory or s3a URI (default: the bucket's `topics/` in MinIO). */
  lake?: string;
  /** Output directory (default `<state>/batch`). */
  out?: string;
  /** Only scan the raw JSON (the I/O floor). */
  scan?: boolean;
  /** Result rows to bring back per query. */
  show?: number;
}

/** Runs the batch job on local Spark and returns its report and output URI. */
export async function runBatch(
  cfg: Config,
  opts: BatchOptions = {},
): Promise<{ report: SparkReport; out: string; job: SparkJob }> {
  if (cfg.profile !== "local") explainAws(cfg);
  const ctx = await stackContext(cfg);
  const lake = toUri(opts.lake ?? `s3a://${cfg.names.bucket}/topics`);
  const out = toUri(opts.out ?? `${cfg.stateDir}/batch`);
  const job: SparkJob = {
    mode: opts.scan ? "scan" : "batch",
    lake,
    topics: cfg.names.topics,
    out,
    emitRows: opts.show ?? 20,
  };
  if (lake.startsWith("s3a://")) {
    const { endpoint, accessKeyId, secretAccessKey, forcePathStyle } = cfg.s3;
    if (!endpoint || !accessKeyId || !secretAccessKey) {
      throw new Error(
        "Cannot mount the lake: the local profile has no S3 endpoint or keys; check pipeline.yaml",
      );
    }
    await checkBucket(cfg, lake.slice("s3a://".length).split("/")[0]);
    job.s3 = { endpoint, pathStyle: forcePathStyle, accessKeyId, secretAccessKey };
  }
  console.log(`Batch ${job.mode} of ${lake}${job.mode === "batch" ? ` into ${out}` : ""}`);
  const report = await runSparkJob(ctx, job, printProgress);
  return { report, out, job };
}

/** Prints every query result as a table, then the per-step summary. */
export function printBatchReport(report: SparkReport, out: string, mode: string): void {
  for (const t of Object.values(report.tables).filter((t) => t.stage === "query")) {
    const rows = report.steps.find((s) => s.step === "query" && s.name === t.name)?.rows ?? 0;
    const more = rows > t.rows.length ? ` (first ${t.rows.length} of ${rows} rows)` : "";
    console.log(`\n${t.name}${more}: ${out}/${t.name}.csv`);
    console.log(table(t.rows));
  }
  console.log("\nSummary");
  console.log(table(stepRows(report)));
  const where = mode === "batch" ? ` Delta tables under ${out}/delta, CSV files under ${out}.` : "";
  console.log(`\n✔ Batch job (${mode}) done in ${report.seconds.toFixed(1)} s.${where}`);
  console.log(`  Spark log: ${report.logFile}`);
}
