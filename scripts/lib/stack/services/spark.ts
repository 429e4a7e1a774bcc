/**
 * Apache Spark (PySpark local mode) with Delta Lake and s3a: a cached venv from the lock and
 * the jars Spark needs, from Maven Central. Stands in for Databricks. The venv also holds the
 * Spark Connect client's packages (grpcio, pyarrow, pandas), for the warm server.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Component, StackContext } from "../component.ts";
import { installOnce, isStamped, mavenFetch } from "../install.ts";
import { checkLockPins, fileHash, installVenv } from "./python_venv.ts";

/** Where Spark's pieces live. */
export interface SparkPaths {
  home: string;
  python: string;
  /** Jars the jobs add to PySpark's own (hadoop-aws, Delta). */
  jars: string[];
}

const v = (ctx: StackContext, k: string) => ctx.versions.get("spark", k);
const lock = (ctx: StackContext) => `${ctx.cfg.root}/${v(ctx, "lock")}`;
/**
 * Named by the lock's content too: checkouts with different locks share the install cache, and
 * one reinstalling the venv under another's running job would break it.
 */
const dir = (ctx: StackContext) =>
  ctx.cache(`spark-${v(ctx, "pyspark")}-delta-${v(ctx, "delta")}-${lockHash(ctx)}`);
const lockHash = (ctx: StackContext) =>
  createHash("sha256").update(Deno.readFileSync(lock(ctx))).digest("hex").slice(0, 8);
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

/**
 * The `jars` directory of the installed PySpark (Spark's own jars), found under the venv's
 * `lib/python3.*` whichever Python made it.
 *
 * @example
 * ```ts ignore
 * await pysparkJarsDir(ctx); // ".../venv/lib/python3.11/site-packages/pyspark/jars"
 * ```
 */
export async function pysparkJarsDir(ctx: StackContext): Promise<string> {
  const lib = `${dir(ctx)}/venv/lib`;
  for await (const e of Deno.readDir(lib)) {
    const jars = `${lib}/${e.name}/site-packages/pyspark/jars`;
    if (e.name.startsWith("python3") && await Deno.stat(jars).then(() => true, () => false)) {
      return jars;
    }
  }
  throw new Error(`Cannot find PySpark's jars under ${lib}: run \`deno task stack:install\``);
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
