/**
 * The Kinesis source of Spark Structured Streaming (qubole/kinesis-sql): one jar from Maven
 * Central with its AWS SDK shaded inside, added to the stream job's classpath. Stands in for
 * Databricks' built-in `kinesis` source, with the same `readStream.format("kinesis")` shape.
 *
 * @module
 */
import type { Component, StackContext } from "../component.ts";
import { installOnce, isStamped, mavenFetch } from "../install.ts";

const v = (ctx: StackContext, k: string) => ctx.versions.get("spark_kinesis", k);
const coords = (ctx: StackContext) =>
  `${v(ctx, "group")}:${v(ctx, "artifact")}:${v(ctx, "version")}`;
const dir = (ctx: StackContext) => ctx.cache(`spark-kinesis-${v(ctx, "version")}`);

/**
 * Path of the connector jar in the install cache.
 *
 * @example
 * ```ts ignore
 * sparkKinesisJar(ctx); // ".../spark-kinesis-1.2.0_spark-3.0/jars/spark-sql-kinesis_2.12-1.2.0_spark-3.0.jar"
 * ```
 */
export function sparkKinesisJar(ctx: StackContext): string {
  return `${dir(ctx)}/jars/${v(ctx, "artifact")}-${v(ctx, "version")}.jar`;
}

/** The Kinesis connector component (installed by stack:install, used by `deno task stream`). */
export const sparkKinesis: Component = {
  name: "spark_kinesis",
  title: "Kinesis source for Spark (kinesis-sql)",
  requires: ["maven"],
  diskMiB: 40,
  version: (ctx) => v(ctx, "version"),
  installed: (ctx) => isStamped(dir(ctx), coords(ctx)),
  async install(ctx) {
    await installOnce(dir(ctx), coords(ctx), () =>
      mavenFetch(
        { component: "spark_kinesis", logFile: ctx.log("install-spark-kinesis.log") },
        [{ coords: coords(ctx) }],
        `${dir(ctx)}/jars`,
        ctx.cache("m2"),
        // Its declared dependencies are Spark's own (provided) and Scala; the jar is shaded.
        { transitive: false },
      ));
  },
};
