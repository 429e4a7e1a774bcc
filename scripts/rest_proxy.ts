/**
 * `deno task rest-proxy`: a Kafka REST v2 proxy (produce side of Confluent's REST proxy) on
 * kafkajs. Started by `stack:up`; stands in for the Confluent REST proxy the course ran on EC2.
 *
 * Routes: `POST /topics/{topic}`, `GET /topics`, `GET /topics/{topic}`, `GET /healthy`.
 *
 * @module
 */
import type { Producer } from "kafkajs";
import { loadConfig } from "./lib/core/config.ts";
import { kafkaClient } from "./lib/kafka/client.ts";
import {
  checkContentType,
  checkTopicName,
  KAFKA_V2,
  parseProduceBody,
  readBody,
  RestError,
} from "./lib/kafka/rest.ts";
import { assignPartitions, produceResponse } from "./lib/kafka/partitions.ts";

/** True when kafkajs failed on an unknown topic, directly or as the cause of its retries. */
function unknownTopic(e: unknown): boolean {
  for (
    let err = e as { type?: string; originalError?: unknown; cause?: unknown } | undefined;
    err;
  ) {
    if (err.type === "UNKNOWN_TOPIC_OR_PARTITION") return true;
    err = (err.originalError ?? err.cause) as typeof err;
  }
  return false;
}

/** A running proxy. */
export interface RestProxy {
  server: Deno.HttpServer;
  close(): Promise<void>;
}

/** Starts the proxy on `hostname:port` producing to the configured brokers. */
export async function startRestProxy(hostname: string, port: number): Promise<RestProxy> {
  const cfg = await loadConfig();
  const kafka = kafkaClient(cfg, "rest-proxy");
  const newProducer = async () => {
    const p = kafka.producer({ allowAutoTopicCreation: false });
    await p.connect();
    return p;
  };
  let producer: Producer = await newProducer();
  const admin = kafka.admin();
  await admin.connect();
  const partitionCounts = new Map<string, number>();
  const partitionCount = async (t: string) => {
    let n = partitionCounts.get(t);
    if (n === undefined) {
      const meta = await admin.fetchTopicMetadata({ topics: [t] });
      n = meta.topics[0].partitions.length;
      partitionCounts.set(t, n);
    }
    return n;
  };
  let topics = new Set<string>();
  let fetched = 0;
  // A miss looks again (at most every 100 ms): a topic created a moment ago is produced to at
  // once, and a flood of unknown topics costs the broker ten listings a second at most.
  const knownTopic = async (t: string) => {
    if (!topics.has(t) && Date.now() - fetched > 100) {
      topics = new Set(await admin.listTopics());
      fetched = Date.now();
    }
    return topics.has(t);
  };

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    try {
      if (url.pathname === "/healthy" || url.pathname === "/ready") {
        return Response.json({ ok: true });
      }
      if (parts[0] !== "topics" || parts.length > 2) {
        throw new RestError(
          404,
          40400,
          `No route ${req.method} ${url.pathname}: use /topics/{topic}`,
        );
      }
      if (parts.length === 1) {
        if (req.method !== "GET") throw new RestError(405, 40501, `Use GET /topics`);
        return Response.json(
          [...new Set(await admin.listTopics())].filter((t) => !t.startsWith("__")).sort(),
        );
      }
      const topic = parts[1];
      checkTopicName(topic);
      if (req.method === "GET") {
        if (!(await knownTopic(topic))) throw new RestError(404, 40401, `Topic ${topic} not found`);
        const meta = await admin.fetchTopicMetadata({ topics: [topic] });
        return Response.json({ name: topic, partitions: meta.topics[0].partitions });
      }
      if (req.method !== "POST") {
        throw new RestError(405, 40501, `Use POST /topics/${topic} to produce`);
      }
      checkContentType(req.headers.get("content-type"));
      const records = parseProduceBody(await readBody(req));
      if (!(await knownTopic(topic))) {
        throw new RestError(
          404,
          40401,
          `Topic ${topic} not found: create it with \`deno task setup-topics\``,
        );
      }
      const partitions = assignPartitions(records, await partitionCount(topic));
      const batch = {
        topic,
        acks: -1,
        messages: records.map((r, i) => ({
          key: r.key === undefined || r.key === null ? null : JSON.stringify(r.key),
          value: JSON.stringify(r.value),
          partition: partitions[i],
        })),
      };
      let sent;
      try {
        sent = await producer.send(batch);
      } catch (e) {
        // kafkajs asks for metadata of every topic a producer ever used; once one of them is
        // deleted, every refresh fails. A fresh producer forgets the deleted topic.
        if (!unknownTopic(e)) throw e;
        const stale = producer;
        producer = await newProducer();
        await stale.disconnect().catch(() => {});
        sent = await producer.send(batch);
      }
      return Response.json(produceResponse(partitions, sent), {
        headers: { "content-type": KAFKA_V2 },
      });
    } catch (e) {
      if (e instanceof RestError) return e.response(KAFKA_V2);
      console.error(`Produce failed: ${(e as Error).message}`);
      return new RestError(503, 50003, `Kafka error: ${(e as Error).message}`).response(KAFKA_V2);
    }
  };

  const server = Deno.serve({ hostname, port, onListen: () => {} }, handler);
  console.log(`Kafka REST proxy on http://${hostname}:${port} -> ${cfg.kafka.brokers.join(",")}`);
  return {
    server,
    async close() {
      await server.shutdown();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

if (import.meta.main) {
  const cfg = await loadConfig();
  const proxy = await startRestProxy(cfg.stack.host, cfg.stack.ports.rest_proxy);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(sig, async () => {
      await proxy.close();
      Deno.exit(0);
    });
  }
}
