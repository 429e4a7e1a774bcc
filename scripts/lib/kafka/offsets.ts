/**
 * What the broker holds for the pipeline's topics, partition by partition: leader, replicas,
 * in-sync replicas and the low and high offsets (what `kafka-topics.sh --describe` and
 * `kafka-get-offsets.sh` print on the course's EC2 client).
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { kafkaClient } from "./client.ts";
import { KINDS } from "../core/names.ts";
import { explainKafkaError } from "./topics.ts";

/** One partition of a topic. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  leader: number;
  replicas: string;
  isr: string;
  /** First offset still held (retention moves it). */
  low: number;
  /** Next offset to be written: records ever written to the partition. */
  high: number;
  /** Records held now: high - low. */
  records: number;
}

/**
 * Describes every partition of the topics (default: the pin, geo and user topics).
 *
 * @example
 * ```ts ignore
 * const parts = await describeTopics(cfg);
 * parts[0]; // { topic: "0a1b2c3d4e5f.pin", partition: 0, leader: 1, ..., high: 500 }
 * ```
 */
export async function describeTopics(
  cfg: Config,
  topics: string[] = KINDS.map((k) => cfg.names.topics[k]),
): Promise<PartitionOffsets[]> {
  const admin = kafkaClient(cfg, "describe-topics", { quiet: true }).admin();
  try {
    await admin.connect();
  } catch (e) {
    throw explainKafkaError(cfg, e);
  }
  try {
    const meta = await admin.fetchTopicMetadata({ topics });
    const out: PartitionOffsets[] = [];
    for (const topic of topics) {
      const parts = meta.topics.find((t) => t.name === topic)?.partitions ?? [];
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const p of [...parts].sort((a, b) => a.partitionId - b.partitionId)) {
        const o = offsets.find((x) => x.partition === p.partitionId);
        const low = Number(o?.low ?? 0);
        const high = Number(o?.high ?? 0);
        out.push({
          topic,
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas.join(","),
          isr: p.isr.join(","),
          low,
          high,
          records: high - low,
        });
      }
    }
    return out;
  } catch (e) {
    throw new Error(
      `Cannot describe topics ${topics.join(", ")} on ${cfg.kafka.brokers.join(",")}: ${
        (e as Error).message
      }; create them with \`deno task setup-topics\``,
    );
  } finally {
    await admin.disconnect();
  }
}
