/**
 * The warm Spark of the batch callers: a Spark Connect server (Spark 3.5's gRPC service, the
 * protocol Databricks Connect speaks) holding one JVM with Delta and s3a to MinIO configured
 * server-side. The batch job, the DAG's steps, the notebooks and the batch bench connect to it
 * (`sc://<host>:<port>`) instead of starting a JVM each. Started on demand by the first batch
 * caller, not by `stack:up`; stopped by `stack:down` like the others.
 *
 * The server is Spark's own service class, started by our launcher
 * (`stack/spark-connect/LocalConnectServer.java`, compiled at install) because Spark 3.5's
 * SparkConnectServer binds every interface and the stack binds its host only.
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";
import { installOnce, isStamped, mavenFetch, step } from "../install.ts";
import { fileHash } from "./python_venv.ts";
import { pysparkJarsDir, sparkPaths } from "./spark.ts";
import { java17Home } from "../preconditions.ts";
import { IDLE_HEAP_FLAGS, JVM_SERVICE_ENV } from "./java.ts";

/**
 * The server's heap bound (-Xmx). The batch at 1M posts ran in a 2 GiB driver; G1 hands unused
 * heap back to the system when idle, so the bound costs little at rest.
 */
export const SPARK_CONNECT_HEAP = "2g";

const v = (ctx: StackContext, k: string) => ctx.versions.get("spark_connect", k);
const coords = (ctx: StackContext) =>
  `${v(ctx, "group")}:${v(ctx, "artifact")}:${v(ctx, "version")}`;
const dir = (ctx: StackContext) => ctx.cache(`spark-connect-${v(ctx, "version")}`);
const source = (ctx: StackContext) => `${ctx.cfg.root}/stack/spark-connect/LocalConnectServer.java`;
const stamp = async (ctx: StackContext) =>
  `${coords(ctx)} on ${sparkPaths(ctx).home} launcher ${await fileHash(source(ctx))}`;
const serverJar = (ctx: StackContext) =>
  `${dir(ctx)}/jars/${v(ctx, "artifact")}-${v(ctx, "version")}.jar`;
const launcherJar = (ctx: StackContext) => `${dir(ctx)}/local-connect-server.jar`;
const MAIN = "local.pinterest.LocalConnectServer";

/**
 * The address clients connect to.
 *
 * @example
 * ```ts ignore
 * sparkConnectUrl(ctx); // "sc://127.0.0.1:15002"
 * ```
 */
export function sparkConnectUrl(ctx: StackContext): string {
  return `sc://${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.spark_connect}`;
}

/**
 * The server's Spark settings, as the `-Dspark.*` properties its SparkConf reads: what a batch
 * session cannot set for itself (extensions, catalog, s3a, shuffle, memory), matching the own-JVM
 * driver's (scripts/spark/common.py). The s3a keys are not here: they come from the environment.
 *
 * @example
 * ```ts ignore
 * sparkConnectConf(ctx)["spark.sql.extensions"]; // "io.delta.sql.DeltaSparkSessionExtension"
 * ```
 */
export function sparkConnectConf(ctx: StackContext): Record<string, string> {
  const { host } = ctx.cfg.stack;
  const s3 = ctx.cfg.s3;
  const conf: Record<string, string> = {
    "spark.master": "local[2]",
    "spark.app.name": "pinterest-spark-connect",
    "spark.driver.host": host,
    "spark.driver.bindAddress": host,
    "spark.ui.enabled": "false",
    "spark.local.dir": ctx.data("spark_connect"),
    "spark.sql.warehouse.dir": `${ctx.data("spark_connect")}/warehouse`,
    // The batch sessions' own settings (common.py session_conf) as the server's defaults too:
    // Delta builds a table's snapshot with the session it first met the table in, not the
    // caller's, and its default of 50 partitions cost 5-10 s per tiny table here.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.optimizer.windowGroupLimitThreshold": "-1",
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "spark.shuffle.compress": "false",
    "spark.shuffle.spill.compress": "false",
    // Nobody reads a UI here, but its store keeps the last 1,000 jobs, stages and SQL plans and
    // 100,000 tasks of a server that outlives its jobs: hundreds of MiB of heap held at rest.
    "spark.ui.retainedJobs": "50",
    "spark.ui.retainedStages": "50",
    "spark.ui.retainedTasks": "1000",
    "spark.sql.ui.retainedExecutions": "20",
  };
  if (s3.endpoint) {
    const hadoop: Record<string, string> = {
      "fs.s3a.endpoint": s3.endpoint,
      "fs.s3a.path.style.access": String(s3.forcePathStyle),
      "fs.s3a.connection.ssl.enabled": String(s3.endpoint.startsWith("https")),
      "fs.s3a.aws.credentials.provider":
        "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
      "fs.s3a.attempts.maximum": "3",
      "fs.s3a.retry.limit": "3",
      "fs.s3a.connection.establish.timeout": "5000",
      "fs.s3a.connection.timeout": "20000",
    };
    for (const [k, value] of Object.entries(hadoop)) conf[`spark.hadoop.${k}`] = value;
  }
  return conf;
}

/** The Spark Connect server service. */
export const sparkConnect: Service = {
  name: "spark_connect",
  title: "Spark Connect server",
  requires: ["java17", "maven"],
  diskMiB: 20,
  ports: ["spark_connect"],
  dependsOn: [],
  onDemand: true,
  startTimeout: 120,
  version: (ctx) => `${v(ctx, "version")} on pyspark ${ctx.versions.get("spark", "pyspark")}`,
  address: sparkConnectUrl,
  installed: async (ctx) => isStamped(dir(ctx), await stamp(ctx)),
  async install(ctx) {
    const logFile = ctx.log("install-spark-connect.log");
    await installOnce(dir(ctx), await stamp(ctx), async () => {
      await mavenFetch(
        { component: "spark_connect", logFile },
        [{ coords: coords(ctx) }],
        `${dir(ctx)}/jars`,
        ctx.cache("m2"),
        // Its gRPC and protobuf are shaded inside; the rest is Spark's own, already in PySpark.
        { transitive: false },
      );
      const bin = `${await java17Home()}/bin`;
      const classes = `${dir(ctx)}/classes`;
      const classpath = `${await pysparkJarsDir(ctx)}/*:${serverJar(ctx)}`;
      await step({ component: "spark_connect", logFile }, "compile the launcher", [
        `${bin}/javac`,
        "--release",
        "17",
        "-d",
        classes,
        "-cp",
        classpath,
        source(ctx),
      ]);
      await step({ component: "spark_connect", logFile }, "package the launcher", [
        `${bin}/jar`,
        "cf",
        launcherJar(ctx),
        "-C",
        classes,
        ".",
      ]);
    });
  },
  async prepare(ctx) {
    await Deno.mkdir(ctx.data("spark_connect"), { recursive: true });
    // Spark's default logs every job at INFO: warnings are what the log is read for.
    await Deno.writeTextFile(
      ctx.run("spark-connect-log4j2.properties"),
      [
        "rootLogger.level = warn",
        "rootLogger.appenderRef.stdout.ref = console",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.target = SYSTEM_OUT",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n",
        "",
      ].join("\n"),
    );
  },
  async launch(ctx) {
    const home = await java17Home();
    const paths = sparkPaths(ctx);
    const classpath = [
      `${await pysparkJarsDir(ctx)}/*`,
      ...paths.jars,
      serverJar(ctx),
      launcherJar(ctx),
    ].join(":");
    const props = Object.entries(sparkConnectConf(ctx)).map(([k, value]) => `-D${k}=${value}`);
    const env: Record<string, string> = {
      ...JVM_SERVICE_ENV,
      JAVA_HOME: home,
      TZ: "UTC",
      SPARK_LOCAL_IP: ctx.cfg.stack.host,
    };
    if (ctx.cfg.s3.accessKeyId && ctx.cfg.s3.secretAccessKey) {
      env.AWS_ACCESS_KEY_ID = ctx.cfg.s3.accessKeyId;
      env.AWS_SECRET_ACCESS_KEY = ctx.cfg.s3.secretAccessKey;
    }
    return {
      cmd: [
        `${home}/bin/java`,
        `-Xmx${SPARK_CONNECT_HEAP}`,
        "-Xms64m",
        ...IDLE_HEAP_FLAGS,
        "-Duser.timezone=UTC",
        `-Dlog4j2.configurationFile=${ctx.run("spark-connect-log4j2.properties")}`,
        // What spark-submit adds for Java 17 (Spark reaches into these modules).
        ...JAVA17_OPENS.map((p) => `--add-opens=${p}=ALL-UNNAMED`),
        "-Djdk.reflect.useDirectMethodHandle=false",
        ...props,
        "-cp",
        classpath,
        MAIN,
        ctx.cfg.stack.host,
        String(ctx.cfg.stack.ports.spark_connect),
      ],
      env,
      cwd: ctx.data("spark_connect"),
    };
  },
  async healthy(ctx) {
    // The launcher binds its port only once Spark's session is up: a connection is an answer.
    try {
      const conn = await Deno.connect({
        hostname: ctx.cfg.stack.host,
        port: ctx.cfg.stack.ports.spark_connect,
      });
      conn.close();
      return true;
    } catch {
      return false;
    }
  },
};

/** The packages Spark 3.5's launcher opens on Java 17 (its JavaModuleOptions). */
const JAVA17_OPENS = [
  "java.base/java.lang",
  "java.base/java.lang.invoke",
  "java.base/java.lang.reflect",
  "java.base/java.io",
  "java.base/java.net",
  "java.base/java.nio",
  "java.base/java.util",
  "java.base/java.util.concurrent",
  "java.base/java.util.concurrent.atomic",
  "java.base/jdk.internal.ref",
  "java.base/sun.nio.ch",
  "java.base/sun.nio.cs",
  "java.base/sun.security.action",
  "java.base/sun.util.calendar",
  "java.security.jgss/sun.security.krb5",
];
