/**
 * Apache Spark (PySpark local mode) with Delta Lake and s3a: a cached venv from the lock and
 * the jars Spark needs, from Maven Central. Stands in for Databricks.
 *
 * @module
 */
import type { Component, StackContext } from "../component.ts";
import { installOnce, isStamped, mavenFetch } from "../install.ts";
import { checkLockPins, fileHash, installVenv } from "./python_venv.ts";

/** Where Spark's pieces live. */
export interface SparkPaths {
  home: string;
  python: string;
  jars: string[];
}

const v = (ctx: StackContext, k: string) => ctx.versions.get("spark", k);
const dir = (ctx: StackContext) => ctx.cache(`spark-${v(ctx, "pyspark")}-delta-${v(ctx, "delta")}`);
const lock = (ctx: StackContext) => `${ctx.cfg.root}/${v(ctx, "lock")}`;
const stamp = async (ctx: StackContext) =>
  `spark ${v(ctx, "pyspark")} delta ${v(ctx, "delta")} hadoop-aws ${
    v(ctx, "hadoop_aws")
  } lock ${await fileHash(lock(ctx))}`;

const JARS = (ctx: StackContext) => [
  `org.apache.hadoop:hadoop-aws:${v(ctx, "hadoop_aws")}`,
  `com.amazonaws:aws-java-sdk-bundle:${v(ctx, "aws_java_sdk_bundle")}`,
  `io.delta:delta-spark_2.12:${v(ctx, "delta")}`,
  `io.delta:delta-storage:${v(ctx, "delta")}`,
];

/** Paths of the installed Spark. */
export function sparkPaths(ctx: StackContext): SparkPaths {
  const home = dir(ctx);
  return {
    home,
    python: `${home}/venv/bin/python`,
    jars: JARS(ctx).map((c) => {
      const [, a, ver] = c.split(":");
      return `${home}/jars/${a}-${ver}.jar`;
    }),
  };
}

/** The Spark component (started by the batch and stream jobs, not by stack:up). */
export const spark: Component = {
  name: "spark",
  title: "Apache Spark + Delta Lake",
  requires: ["python", "java17", "maven"],
  diskMiB: 900,
  version: (ctx) => `${v(ctx, "pyspark")} / delta ${v(ctx, "delta")}`,
  installed: async (ctx) => isStamped(dir(ctx), await stamp(ctx)),
  async install(ctx) {
    await checkLockPins(lock(ctx), { pyspark: v(ctx, "pyspark"), "delta-spark": v(ctx, "delta") });
    await installOnce(dir(ctx), await stamp(ctx), async () => {
      await installVenv(ctx, "spark", `${dir(ctx)}/venv`, lock(ctx));
      await mavenFetch(
        { component: "spark", logFile: ctx.log("install-spark.log") },
        JARS(ctx).map((coords) => ({ coords })),
        `${dir(ctx)}/jars`,
        ctx.cache("m2"),
        { transitive: false },
      );
    });
  },
};
