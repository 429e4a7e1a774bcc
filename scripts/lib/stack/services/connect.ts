/**
 * Kafka Connect (standalone worker, REST API) from Maven Central jars, with our S3 sink plugin
 * built from stack/connect-s3-sink. Stands in for MSK Connect.
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";
import { installOnce, isStamped, mavenFetch, step } from "../install.ts";
import { kafkaDeps } from "./kafka.ts";
import { IDLE_HEAP_FLAGS, JVM_SERVICE_ENV, writeLog4j } from "./java.ts";
import { S3_SINK_CLASS, setupConnector } from "../../lake/connector.ts";

/**
 * The worker's `offset.flush.interval.ms`: how often the sink commits offsets, and without
 * `flush.size` how often it cuts an object per partition (docs/spec.md §4).
 */
export const OFFSET_FLUSH_INTERVAL_MS = 2000;

const kafkaVersion = (ctx: StackContext) => ctx.versions.get("kafka", "version");
const sinkVersion = (ctx: StackContext) => ctx.versions.get("connect_s3_sink", "version");
const dir = (ctx: StackContext) => ctx.cache(`kafka-connect-${kafkaVersion(ctx)}`);
const plugins = (ctx: StackContext) =>
  ctx.cache(`connect-plugins-${sinkVersion(ctx)}-${kafkaVersion(ctx)}`);

/** The built S3 sink plugin (its jars), which the AWS deployment can upload to MSK Connect. */
export const sinkPluginDir = (ctx: StackContext): string => `${plugins(ctx)}/pipeline-s3-sink`;
const stamp = (ctx: StackContext) => `connect ${kafkaVersion(ctx)}`;
const sinkStamp = async (ctx: StackContext) => {
  // Rebuild when the plugin's source changes, not only its version.
  const src = `${ctx.cfg.root}/stack/connect-s3-sink`;
  let text = await Deno.readTextFile(`${src}/pom.xml`);
  for await (const f of walk(`${src}/src`)) text += await Deno.readTextFile(f);
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return `s3-sink ${sinkVersion(ctx)} ${ctx.versions.get("connect_s3_sink", "aws_sdk")} ${
    Array.from(hash.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
};

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.isDirectory) yield* walk(`${dir}/${e.name}`);
    else yield `${dir}/${e.name}`;
  }
}

async function buildSink(ctx: StackContext): Promise<void> {
  const log = { component: "connect", logFile: ctx.log("install-connect.log") };
  const build = await Deno.makeTempDir({ prefix: "s3-sink-build-" });
  try {
    await step(log, "copy plugin source", [
      "cp",
      "-r",
      `${ctx.cfg.root}/stack/connect-s3-sink/.`,
      build,
    ]);
    const props = [
      `-Dsink.version=${sinkVersion(ctx)}`,
      `-Dkafka.version=${kafkaVersion(ctx)}`,
      `-Dawssdk.version=${ctx.versions.get("connect_s3_sink", "aws_sdk")}`,
      `-Dcompiler.version=${ctx.versions.get("connect_s3_sink", "maven_compiler_plugin")}`,
    ];
    const mvn = ["mvn", "-B", "-q", `-Dmaven.repo.local=${ctx.cache("m2")}`, ...props];
    await step(log, "build S3 sink plugin with Maven", [
      ...mvn,
      "-f",
      `${build}/pom.xml`,
      "package",
    ]);
    const out = sinkPluginDir(ctx);
    await step(log, "copy S3 sink dependencies", [
      ...mvn,
      "-f",
      `${build}/pom.xml`,
      "dependency:copy-dependencies",
      "-DincludeScope=runtime",
      "-DexcludeGroupIds=org.slf4j",
      `-DoutputDirectory=${out}`,
    ]);
    await Deno.copyFile(
      `${build}/target/pipeline-s3-sink-${sinkVersion(ctx)}.jar`,
      `${out}/pipeline-s3-sink-${sinkVersion(ctx)}.jar`,
    );
  } finally {
    await Deno.remove(build, { recursive: true }).catch(() => {});
  }
}

/** The Kafka Connect service. */
export const connect: Service = {
  name: "connect",
  title: "Kafka Connect + S3 sink",
  requires: ["java", "maven"],
  diskMiB: 250,
  ports: ["connect"],
  dependsOn: ["kafka", "minio"],
  startTimeout: 120,
  version: (ctx) => `${kafkaVersion(ctx)} / sink ${sinkVersion(ctx)}`,
  address: (ctx) => `http://${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.connect}`,
  async installed(ctx) {
    return (await isStamped(dir(ctx), stamp(ctx))) &&
      (await isStamped(plugins(ctx), await sinkStamp(ctx)));
  },
  async install(ctx) {
    await installOnce(dir(ctx), stamp(ctx), () =>
      mavenFetch(
        { component: "connect", logFile: ctx.log("install-connect.log") },
        kafkaDeps(ctx, ["connect-runtime", "connect-json", "connect-file", "connect-transforms"]),
        `${dir(ctx)}/libs`,
        ctx.cache("m2"),
      ));
    await installOnce(plugins(ctx), await sinkStamp(ctx), () => buildSink(ctx));
  },
  async prepare(ctx) {
    const { host, ports } = ctx.cfg.stack;
    await Deno.mkdir(ctx.data("connect"), { recursive: true });
    await Deno.writeTextFile(
      ctx.run("connect-worker.properties"),
      [
        `bootstrap.servers=${host}:${ports.kafka}`,
        `listeners=http://${host}:${ports.connect}`,
        `rest.advertised.host.name=${host}`,
        `rest.advertised.port=${ports.connect}`,
        "key.converter=org.apache.kafka.connect.storage.StringConverter",
        "value.converter=org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable=false",
        `offset.storage.file.filename=${ctx.data("connect")}/connect.offsets`,
        // Sink offsets live in the connect-<name> consumer group; a short flush interval keeps
        // landing latency low (without flush.size, an object is written at each flush).
        `offset.flush.interval.ms=${OFFSET_FLUSH_INTERVAL_MS}`,
        // The sink subscribes by topics.regex; its consumer sees topics created after it only
        // at a metadata refresh (5 min by default).
        "consumer.metadata.max.age.ms=5000",
        // A worker restarted after a crash rejoins the sink's group only once the broker has
        // expired the dead worker's consumers (45 s by default): 6 s is the broker's minimum.
        "consumer.session.timeout.ms=6000",
        "consumer.heartbeat.interval.ms=2000",
        `plugin.path=${plugins(ctx)}`,
        "plugin.discovery=hybrid_warn",
        "",
      ].join("\n"),
    );
    await writeLog4j(ctx, "connect-log4j.properties", [
      "log4j.logger.org.reflections=ERROR",
      "log4j.logger.org.apache.kafka.clients=WARN",
    ]);
  },
  launch(ctx) {
    return Promise.resolve({
      cmd: [
        "java",
        "-Xms32m",
        "-Xmx384m",
        ...IDLE_HEAP_FLAGS,
        "-Djava.awt.headless=true",
        `-Dlog4j.configuration=file:${ctx.run("connect-log4j.properties")}`,
        "-cp",
        `${dir(ctx)}/libs/*`,
        "org.apache.kafka.connect.cli.ConnectStandalone",
        ctx.run("connect-worker.properties"),
      ],
      env: JVM_SERVICE_ENV,
    });
  },
  async afterStart(ctx) {
    // A standalone worker forgets connectors created over REST when it restarts: register the
    // lake's S3 sink again so a restarted Connect resumes from its committed offsets.
    const { connector } = await setupConnector(ctx.cfg);
    console.log(`  S3 sink connector ${connector}`);
  },
  async healthy(ctx) {
    const res = await fetch(`${connect.address(ctx)}/connector-plugins`);
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const list = await res.json() as { class: string }[];
    return list.some((p) => p.class === S3_SINK_CLASS);
  },
};
