/**
 * Partition choice and offsets of a Kafka REST produce. The proxy chooses every record's
 * partition itself, so the offsets it answers are exact whatever the partition count.
 *
 * @module
 */
import type { ProduceRecord, ProduceResponse } from "./rest.ts";
import { RestError } from "./rest.ts";

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Partition of each record: its explicit `partition`, else the hash of its key, else one
 * partition for every keyless record of the request (like Kafka's sticky partitioner).
 *
 * @example
 * ```ts
 * assignPartitions([{ value: 1 }, { value: 2, partition: 0 }], 3); // [p, 0] with p random
 * ```
 */
export function assignPartitions(
  records: ProduceRecord[],
  count: number,
  random = Math.random,
): number[] {
  const sticky = Math.floor(random() * count);
  return records.map((r, i) => {
    if (r.partition !== undefined) {
      if (r.partition >= count) {
        throw new RestError(
          404,
          40402,
          `records[${i}].partition ${r.partition} not found: the topic has ${count}`,
        );
      }
      return r.partition;
    }
    if (r.key !== undefined && r.key !== null) return hash(JSON.stringify(r.key)) % count;
    return sticky;
  });
}

/** kafkajs's answer to a send: one base offset per partition written. */
export interface PartitionWrite {
  partition: number;
  baseOffset?: string;
}

/** Offsets of each record: a partition's records follow its base offset in request order. */
export function produceResponse(partitions: number[], writes: PartitionWrite[]): ProduceResponse {
  const next = new Map(writes.map((w) => [w.partition, Number(w.baseOffset ?? 0)]));
  return {
    key_schema_id: null,
    value_schema_id: null,
    offsets: partitions.map((p) => {
      const offset = next.get(p);
      if (offset === undefined) throw new Error(`Kafka did not report partition ${p} as written`);
      next.set(p, offset + 1);
      return { partition: p, offset, error_code: null, error: null };
    }),
  };
}
