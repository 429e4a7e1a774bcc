/**
 * Reads records back from Kafka with a consumer of its own (what `kafka-console-consumer.sh`
 * does on the course's EC2 client): a fresh consumer group each call that commits nothing, so
 * it never disturbs other readers and can be run again.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { kafkaClient } from "./client.ts";
import { explainKafkaError } from "./topics.ts";

/** One consumed record. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Broker timestamp, ISO-8601. */
  timestamp: string;
  /** The value parsed as JSON (or the text when it is not JSON). */
  value: unknown;
}

/** Options of {@linkcode consumeRecords}. */
export interface ConsumeOptions {
  /** Records wanted from each topic. */
  perTopic: number;
  /** Offset to start from, by topic and partition (default: the beginning of each). */
  from?: Record<string, Record<number, number>>;
  /** Give up waiting after this long, ms (default 20 s); returns what it read. */
  timeoutMs?: number;
}

/**
 * Consumes up to `perTopic` records from each topic, from the given offsets or the beginning,
 * with a fresh consumer group that commits nothing.
 *
 * @example
 * ```ts ignore
 * const records = await consumeRecords(cfg, [cfg.names.topics.pin], { perTopic: 5 });
 * records[0].value; // { index: 7528, ... }
 * ```
 */
export async function consumeRecords(
  cfg: Config,
  topics: string[],
  opts: ConsumeOptions,
): Promise<ConsumedRecord[]> {
  const groupId = `reader-${crypto.randomUUID()}`;
  const consumer = kafkaClient(cfg, "reader", { quiet: true }).consumer({
    groupId,
    // A lone member: no need to wait for others to join.
    rebalanceTimeout: 5000,
    sessionTimeout: 10_000,
  });
  const got = new Map(topics.map((t) => [t, [] as ConsumedRecord[]]));
  const full = () => [...got.values()].every((l) => l.length >= opts.perTopic);
  let finish!: () => void;
  const finished = new Promise<void>((r) => finish = r);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
  } catch (e) {
    await consumer.disconnect().catch(() => {});
    throw explainKafkaError(cfg, e);
  }
  const timer = setTimeout(finish, opts.timeoutMs ?? 20_000);
  try {
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ topic, partition, message }) => {
        const list = got.get(topic)!;
        if (list.length < opts.perTopic) {
          const text = message.value?.toString() ?? "";
          let value: unknown = text;
          try {
            value = JSON.parse(text);
          } catch {
            // Not JSON: keep the text as it came.
          }
          list.push({
            topic,
            partition,
            offset: Number(message.offset),
            timestamp: new Date(Number(message.timestamp)).toISOString(),
            value,
          });
        }
        if (full()) finish();
        return Promise.resolve();
      },
    });
    for (const [topic, partitions] of Object.entries(opts.from ?? {})) {
      for (const [p, offset] of Object.entries(partitions)) {
        consumer.seek({ topic, partition: Number(p), offset: String(offset) });
      }
    }
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
  return topics.flatMap((t) => got.get(t)!);
}
