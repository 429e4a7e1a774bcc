/**
 * `deno task batch [--out DIR] [--lake PATH] [--show N] [--scan] [--step S] [--answer-tables]
 * [--engine auto|local|connect] [--profile local|aws]`: the batch processing of docs/spec.md
 * §4-6 on local Spark. Mounts the lake (s3a to MinIO, or a local directory), cleans the three
 * topics with `sql/clean`, writes them as Delta, runs every `sql/analytics` query, writes each
 * result as CSV (and as Delta with `--answer-tables`), and prints results and timings.
 * `--step load|clean:<kind>|analytics` runs one step of the Airflow DAG instead. Spark runs on
 * the warm Spark Connect server when it is up, else in a JVM of its own (`--engine auto`, the
 * default; `--engine connect` or PIPELINE_SPARK_ENGINE=connect starts the server, `local` never
 * uses it).
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { parseStep, printBatchReport, runBatch } from "./lib/batch/batch.ts";
import { envEngine, parseEngine } from "./lib/spark/engine.ts";
import { installFor } from "./lib/stack/needs.ts";
import { stackContext } from "./lib/stack/context.ts";

const USAGE = "deno task batch [--out DIR] [--lake PATH|s3a://bucket/topics] [--show N] [--scan] " +
  "[--step load|clean:pin|clean:geo|clean:user|analytics] [--answer-tables] " +
  "[--engine auto|local|connect] " +
  "[--profile local|aws]";

if (import.meta.main) {
  await main(async () => {
    const { values } = parseFlags(Deno.args, {
      out: { type: "string" },
      lake: { type: "string" },
      show: { type: "string" },
      scan: { type: "boolean" },
      "answer-tables": { type: "boolean" },
      step: { type: "string" },
      engine: { type: "string" },
      profile: { type: "string" },
    }, USAGE);
    const engine = values.engine === undefined
      ? envEngine()
      : parseEngine(values.engine, "--engine");
    const show = Number(values.show ?? 20);
    if (!Number.isInteger(show) || show < 0) {
      throw new Error(`Invalid --show ${JSON.stringify(values.show)}: give a row count like 20`);
    }
    // A bad step name fails here, before the config is read or Spark starts.
    const step = values.step === undefined ? undefined : parseStep(values.step);
    const cfg = await loadConfig({ profile: values.profile });
    // On the aws profile the job runs on Databricks: nothing to install here.
    if (cfg.profile === "local") await installFor(await stackContext(cfg), "batch");
    const { report, out, label } = await runBatch(cfg, {
      lake: values.lake,
      out: values.out,
      scan: values.scan,
      step,
      show,
      engine,
      answerTables: values["answer-tables"],
    });
    printBatchReport(report, out, label);
    if (report.engine === "local" && engine === "auto" && cfg.profile === "local") {
      console.log(
        "  Ran in Spark's own JVM: the warm Spark Connect server was not running (--engine " +
          "connect or `deno task stack:up --only spark_connect` starts it; warm, it runs this " +
          "job about three times faster)",
      );
    }
  });
}
