/**
 * The three Kafka topics of docs/spec.md §1, created with the kafkajs admin client. Safe to re-run:
 * topics that exist are reported, never recreated.
 *
 * @module
 */
import type { Admin } from "kafkajs";
import type { Config } from "../core/config.ts";
import { kafkaClient } from "./client.ts";
import { KINDS } from "../core/names.ts";

/** What {@linkcode setupTopics} found or did for one topic. */
export interface TopicState {
  topic: string;
  partitions: number;
  replicationFactor: number;
  status: "created" | "exists";
}

/**
 * Creates the pin, geo and user topics that are missing, with the configured partitions and
 * replication, and reports every topic as it now is on the broker.
 *
 * @example
 * ```ts ignore
 * const states = await setupTopics(cfg);
 * console.log(table(states)); // topic, partitions, replicationFactor, status
 * ```
 */
export async function setupTopics(cfg: Config): Promise<TopicState[]> {
  const admin = kafkaClient(cfg, "setup-topics", { quiet: true }).admin();
  try {
    await admin.connect();
  } catch (e) {
    throw explainKafkaError(cfg, e);
  }
  try {
    const wanted = KINDS.map((k) => cfg.names.topics[k]);
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: cfg.kafka.partitions,
          replicationFactor: cfg.kafka.replicationFactor,
        })),
      });
    }
    return await describe(admin, wanted, new Set(missing));
  } finally {
    await admin.disconnect();
  }
}

async function describe(admin: Admin, topics: string[], created: Set<string>) {
  const meta = await admin.fetchTopicMetadata({ topics });
  const order = (name: string) => topics.indexOf(name);
  return meta.topics.sort((a, b) => order(a.name) - order(b.name)).map((t): TopicState => ({
    topic: t.name,
    partitions: t.partitions.length,
    replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
    status: created.has(t.name) ? "created" : "exists",
  }));
}

/** Rewrites a broker connection failure into a message that names the brokers and the fix. */
export function explainKafkaError(cfg: Config, e: unknown): Error {
  const msg = (e as Error).message ?? String(e);
  const where = cfg.kafka.brokers.join(",");
  if (/ECONNREFUSED|Connection error|connect.*refused/i.test(msg)) {
    return new Error(
      `Cannot reach Kafka at ${where}: ${msg}` +
        (cfg.profile === "local" ? "; start it with `deno task stack:up`" : ""),
    );
  }
  return new Error(`Kafka at ${where} failed: ${msg}`);
}
