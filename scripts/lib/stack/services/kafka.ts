/**
 * Apache Kafka from Maven Central jars, one KRaft node (broker and controller). Stands in for
 * MSK.
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";
import { installOnce, isStamped, mavenFetch } from "../install.ts";
import { kafkaClient } from "../../kafka/client.ts";
import { IDLE_HEAP_FLAGS, JVM_SERVICE_ENV, writeLog4j } from "./java.ts";

const version = (ctx: StackContext) => ctx.versions.get("kafka", "version");
const dir = (ctx: StackContext) => ctx.cache(`kafka-${version(ctx)}`);

/** Coordinates of Kafka's jars with the logging binding it needs. */
export function kafkaDeps(ctx: StackContext, artifacts: string[]): { coords: string }[] {
  const v = (k: string) => ctx.versions.get("kafka", k);
  return [
    ...artifacts.map((a) => ({ coords: `org.apache.kafka:${a}:${v("version")}` })),
    { coords: `org.slf4j:slf4j-reload4j:${v("slf4j_reload4j")}` },
    { coords: `ch.qos.reload4j:reload4j:${v("reload4j")}` },
  ];
}

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding, never starting with "-"
 * (kafka-storage would read it as an option and fail; Kafka's own Uuid.randomUuid skips those too).
 */
export function clusterId(): string {
  while (true) {
    const b = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...b)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
}

async function java(ctx: StackContext, args: string[]): Promise<void> {
  const out = await new Deno.Command("java", {
    args: ["-cp", `${dir(ctx)}/libs/*`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`Kafka ${args[0]} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** The Kafka service. */
export const kafka: Service = {
  name: "kafka",
  title: "Apache Kafka (KRaft)",
  requires: ["java", "maven"],
  diskMiB: 150,
  ports: ["kafka", "kafka_controller"],
  dependsOn: [],
  startTimeout: 90,
  version,
  address: (ctx) => `${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.kafka}`,
  installed: (ctx) => isStamped(dir(ctx), `kafka ${version(ctx)}`),
  async install(ctx) {
    await installOnce(dir(ctx), `kafka ${version(ctx)}`, () =>
      mavenFetch(
        { component: "kafka", logFile: ctx.log("install-kafka.log") },
        kafkaDeps(ctx, [`kafka_${ctx.versions.get("kafka", "scala")}`, "kafka-tools"]),
        `${dir(ctx)}/libs`,
        ctx.cache("m2"),
      ));
  },
  async prepare(ctx) {
    const { host, ports } = ctx.cfg.stack;
    const data = ctx.data("kafka");
    await Deno.mkdir(`${data}/logs`, { recursive: true });
    const props = ctx.run("kafka-server.properties");
    await Deno.writeTextFile(
      props,
      [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@${host}:${ports.kafka_controller}`,
        `listeners=PLAINTEXT://${host}:${ports.kafka},CONTROLLER://${host}:${ports.kafka_controller}`,
        `advertised.listeners=PLAINTEXT://${host}:${ports.kafka}`,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        `log.dirs=${data}/logs`,
        "num.partitions=1",
        "default.replication.factor=1",
        "offsets.topic.replication.factor=1",
        // One node: 50 offsets partitions would only make every start load 50 more logs.
        "offsets.topic.num.partitions=5",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "min.insync.replicas=1",
        // Topics are created explicitly by setup-topics; a typo must not create a new one.
        "auto.create.topics.enable=false",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.hours=168",
        "num.network.threads=2",
        "num.io.threads=2",
        "num.recovery.threads.per.data.dir=1",
        // The log cleaner (compacted topics: offsets, Connect's) holds this buffer on the heap
        // for good: 128 MiB by default, most of the idle broker's live heap.
        "log.cleaner.dedupe.buffer.size=16777216",
        // A broker restarted after a crash cannot register until the controller has expired the
        // dead one's session (9 s by default): with 3 s, a SIGKILLed Kafka is back in about 5 s.
        "broker.heartbeat.interval.ms=750",
        "broker.session.timeout.ms=3000",
        "",
      ].join("\n"),
    );
    await writeLog4j(ctx, "kafka-log4j.properties", [
      "log4j.logger.kafka=INFO",
      "log4j.logger.state.change.logger=WARN",
    ]);
    if (!(await Deno.stat(`${data}/logs/meta.properties`).then(() => true, () => false))) {
      await java(ctx, [
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId(),
        "-c",
        props,
        "--ignore-formatted",
      ]);
    }
  },
  launch(ctx) {
    return Promise.resolve({
      cmd: [
        "java",
        "-Xms32m",
        "-Xmx512m",
        ...IDLE_HEAP_FLAGS,
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        `-Dlog4j.configuration=file:${ctx.run("kafka-log4j.properties")}`,
        `-Dkafka.logs.dir=${ctx.cfg.stateDir}/logs`,
        "-cp",
        `${dir(ctx)}/libs/*`,
        "kafka.Kafka",
        ctx.run("kafka-server.properties"),
      ],
      env: JVM_SERVICE_ENV,
    });
  },
  async healthy(ctx) {
    const admin = kafkaClient(ctx.cfg, "stack-health", { quiet: true }).admin({
      retry: { retries: 0 },
    });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } finally {
      await admin.disconnect();
    }
  },
};
