/**
 * Which Kafka records an object of the lake holds, read from its key: the Confluent layout
 * (SPEC §1) names each object after its topic, partition and start offset, and our sink writes a
 * partition's records in offset order, one JSON line each.
 *
 * @module
 */

/** Topic, partition and first offset of one lake object. */
export interface ObjectOffsets {
  topic: string;
  partition: number;
  startOffset: number;
}

const NAME = /^(.+)\+(\d+)\+(\d+)\.json$/;

/**
 * Parses `topics/<topic>/partition=<p>/<topic>+<p>+<start>.json` (any zero padding of the
 * offset); undefined for keys of another shape.
 *
 * @example
 * ```ts
 * parseObjectKey("topics/x.pin/partition=0/x.pin+0+0000000042.json");
 * // { topic: "x.pin", partition: 0, startOffset: 42 }
 * ```
 */
export function parseObjectKey(key: string): ObjectOffsets | undefined {
  const m = NAME.exec(key.slice(key.lastIndexOf("/") + 1));
  if (!m) return undefined;
  return { topic: m[1], partition: Number(m[2]), startOffset: Number(m[3]) };
}

/**
 * Counts the records of an object's text: its non-blank JSON lines.
 *
 * @example
 * ```ts
 * countLines('{"a":1}\n{"a":2}\n'); // 2
 * ```
 */
export function countLines(text: string): number {
  let n = 0;
  for (const line of text.split("\n")) if (line.trim()) n++;
  return n;
}
