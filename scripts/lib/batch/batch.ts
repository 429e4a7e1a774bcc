/**
 * The batch processing of docs/spec.md §4-6 on local Spark: mount the lake (s3a to MinIO, or a
 * local directory), clean with `sql/clean`, write Delta, run every `sql/analytics` query, write
 * each result as CSV (and Delta when asked). Used by `deno task batch`, the main job and, one step
 * at a time (`--step load|clean:<kind>|analytics`), by the Airflow DAG.
 *
 * @module
 */
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import type { Config } from "../core/config.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { explainS3Error, s3Client } from "../lake/s3.ts";
import { runSparkJob, stepRows, toUri } from "../spark/driver.ts";
import { type SparkEvent, type SparkReport } from "../spark/events.ts";
import { type SparkJob } from "../spark/job.ts";
import type { SparkEngine } from "../spark/engine.ts";
import { stackContext } from "../stack/context.ts";
import { databricksEnv, runDatabricks } from "./databricks.ts";
import { table } from "../view/table.ts";
import { jvmForLake, MAX_SHUFFLE_PARTITIONS } from "./jvm_settings.ts";

/**
 * Checks that the bucket answers before Spark spends seconds starting and retrying; throws
 * saying what to start otherwise.
 *
 * @example
 * ```ts ignore
 * await checkBucket(cfg, cfg.names.bucket);
 * ```
 */
export async function checkBucket(cfg: Config, bucket: string): Promise<void> {
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
  if (e.event === "start") {
    const where = e.remote ? ` on the Spark Connect server ${e.remote}` : "";
    console.log(`  Spark ${e.spark} (${e.master})${where}, ${e.mode} mode`);
  }
  if (e.event !== "step") return;
  const what = [e.step, e.format, e.name].filter(Boolean).join(" ");
  const rows = e.rows === undefined ? "" : `, ${e.rows} rows`;
  console.log(`  ✔ ${what}${rows} in ${e.seconds.toFixed(1)} s`);
}

/** One step of the Airflow DAG: a driver mode and, for load and clean, the kinds it covers. */
export interface BatchStep {
  mode: "load" | "clean" | "analytics";
  kinds?: Kind[];
}

/** The step names `deno task batch --step` accepts, in DAG order. */
export const BATCH_STEPS = ["load", ...KINDS.map((k) => `clean:${k}`), "analytics"];

/**
 * Parses a step name: `load`, `clean` (all three kinds), `clean:<kind>`, `load:<kind>` or
 * `analytics`.
 *
 * @example
 * ```ts
 * parseStep("clean:pin"); // { mode: "clean", kinds: ["pin"] }
 * parseStep("analytics"); // { mode: "analytics" }
 * ```
 */
export function parseStep(text: string): BatchStep {
  const [mode, kind, ...rest] = text.split(":");
  const fail = (): never => {
    throw new Error(
      `Invalid --step ${JSON.stringify(text)}: use one of ${BATCH_STEPS.join(", ")} (or clean)`,
    );
  };
  if (rest.length || (mode !== "load" && mode !== "clean" && mode !== "analytics")) fail();
  if (kind === undefined) return { mode: mode as BatchStep["mode"] };
  if (mode === "analytics" || !(KINDS as readonly string[]).includes(kind)) fail();
  return { mode: mode as BatchStep["mode"], kinds: [kind as Kind] };
}

/** The label of a step, as {@linkcode parseStep} reads it: `clean:pin`, `analytics`. */
export function stepLabel(step: BatchStep): string {
  return [step.mode, ...(step.kinds ?? [])].join(":");
}

/** Options of {@linkcode runBatch}. */
export interface BatchOptions {
  /** Lake directory or s3a URI (default: the bucket's `topics/` in MinIO). */
  lake?: string;
  /** Output directory (default `<state>/batch`). */
  out?: string;
  /** Only scan the raw JSON (the I/O floor). */
  scan?: boolean;
  /** Run one step of the DAG instead of the whole job (a name like `clean:pin`, or parsed). */
  step?: string | BatchStep;
  /** Result rows to bring back per query. */
  show?: number;
  /** Only these analytics queries (file names without `.sql`, none if empty); all by default. */
  queries?: string[];
  /** Also write each answer as a Delta table beside its CSV file. */
  answerTables?: boolean;
  /** Where Spark runs (default: PIPELINE_SPARK_ENGINE, else auto: the server if it is up). */
  engine?: SparkEngine;
  /** Called with every event of the Spark driver, after its progress line (fault tests). */
  onEvent?: (e: SparkEvent) => void;
}

/** What {@linkcode runBatch} did. */
export interface BatchRun {
  report: SparkReport;
  /** Output base URI. */
  out: string;
  job: SparkJob;
  /** `batch`, `scan`, or the step, like `clean:pin`. */
  label: string;
}

/** Modes that read the raw JSON of the lake. */
const READS_LAKE = new Set(["batch", "scan", "load"]);

/** Default output directory of a user id's batch answers (one per user id, so runs never mix). */
export function batchOutDir(cfg: Config): string {
  return `${cfg.stateDir}/batch/${cfg.userId}`;
}

/**
 * Runs the batch job (or one step of it) on local Spark and returns its report; on the aws
 * profile runs the whole job on Databricks instead.
 */
export async function runBatch(cfg: Config, opts: BatchOptions = {}): Promise<BatchRun> {
  if (cfg.profile !== "local") {
    if (opts.scan || opts.step) {
      throw new Error(
        "Cannot run --scan or --step on Databricks: the aws profile runs the whole job (the DAG runs " +
          "steps there with DatabricksSubmitRunOperator)",
      );
    }
    const report = await runDatabricks(cfg, opts.show ?? 20);
    const out = `${databricksEnv().schema}.${cfg.userId}_*`;
    return {
      report,
      out,
      job: {
        mode: "batch",
        lake: `s3://${cfg.names.bucket}/topics`,
        topics: cfg.names.topics,
        out,
      },
      label: "batch",
    };
  }
  if (opts.scan && opts.step) throw new Error("Cannot combine --scan with --step: choose one");
  const step = typeof opts.step === "string" ? parseStep(opts.step) : opts.step;
  const ctx = await stackContext(cfg);
  const lake = toUri(opts.lake ?? `s3a://${cfg.names.bucket}/topics`);
  const out = toUri(opts.out ?? batchOutDir(cfg));
  const mode = step?.mode ?? (opts.scan ? "scan" : "batch");
  const label = step ? stepLabel(step) : mode;
  const job: SparkJob = {
    mode,
    lake,
    topics: cfg.names.topics,
    kinds: step?.kinds,
    out,
    emitRows: opts.show ?? 20,
    queries: opts.queries,
    answerTables: opts.answerTables,
    engine: opts.engine,
  };
  const readsLake = READS_LAKE.has(mode);
  const writesOut = mode !== "scan";
  if ((readsLake && lake.startsWith("s3a://")) || (writesOut && out.startsWith("s3a://"))) {
    const { endpoint, accessKeyId, secretAccessKey, forcePathStyle } = cfg.s3;
    if (!endpoint || !accessKeyId || !secretAccessKey) {
      throw new Error(
        "Cannot mount the lake: the local profile has no S3 endpoint or keys; check pipeline.yaml",
      );
    }
    if (readsLake && lake.startsWith("s3a://")) {
      await checkBucket(cfg, lake.slice("s3a://".length).split("/")[0]);
    }
    job.s3 = { endpoint, pathStyle: forcePathStyle, accessKeyId, secretAccessKey };
  }
  const from = readsLake ? ` of ${lake}` : "";
  console.log(`Batch ${label}${from}${writesOut ? ` into ${out}` : ""}`);
  // After checkBucket: a lake that is down is reported by it, with what to start.
  Object.assign(job, await settingsForLake(cfg, lake, readsLake));
  const report = await runSparkJob(ctx, job, (e) => {
    printProgress(e);
    opts.onEvent?.(e);
  });
  return { report, out, job, label };
}

/**
 * Picks the JVM settings and shuffle partitions by the size of the raw JSON (see
 * `jvm_settings.ts`). Steps that do not read the lake still follow its size, so the DAG's clean
 * and analytics steps get the same settings as its load; if the lake cannot be listed there,
 * they keep the small-data JVM settings and four partitions, which suit any size.
 */
async function settingsForLake(
  cfg: Config,
  lake: string,
  readsLake: boolean,
): Promise<Pick<SparkJob, "quick" | "shufflePartitions">> {
  try {
    const { bytes, quick, label, shufflePartitions } = await jvmForLake(cfg, lake);
    console.log(
      `  ${(bytes / 2 ** 20).toFixed(1)} MiB of raw JSON: ${label} JVM settings, ` +
        `${shufflePartitions} shuffle partition${shufflePartitions === 1 ? "" : "s"}`,
    );
    return { quick, shufflePartitions };
  } catch (e) {
    if (readsLake) throw e;
    console.log(`  Could not size the lake (${(e as Error).message}): small-data JVM settings`);
    return { quick: true, shufflePartitions: MAX_SHUFFLE_PARTITIONS };
  }
}

/** Where each mode leaves its output, for the last line of the report. */
function written(mode: string, out: string): string {
  switch (mode) {
    case "batch":
    case "analytics":
      return ` Cleaned Delta tables under ${out}/delta, answers as CSV files under ${out}.`;
    case "load":
      return ` Raw Delta snapshots under ${out}/delta/raw_<kind>.`;
    case "clean":
      return ` Cleaned Delta tables under ${out}/delta/<kind>.`;
    default:
      return "";
  }
}

/**
 * Prints every query result as a table, then the per-step summary. `label` names the run:
 * `batch`, `scan` or a step like `clean:pin`.
 */
export function printBatchReport(report: SparkReport, out: string, label: string): void {
  for (const t of Object.values(report.tables).filter((t) => t.stage === "query")) {
    const rows = report.steps.find((s) => s.step === "query" && s.name === t.name)?.rows ?? 0;
    const more = rows > t.rows.length ? ` (first ${t.rows.length} of ${rows} rows)` : "";
    console.log(`\n${t.name}${more}: ${out}/${t.name}.csv`);
    console.log(table(t.rows));
  }
  console.log("\nSummary");
  console.log(table(stepRows(report)));
  const where = written(label.split(":")[0], out);
  console.log(`\n✔ Batch job (${label}) done in ${report.seconds.toFixed(1)} s.${where}`);
  console.log(`  Spark log: ${report.logFile}`);
}
