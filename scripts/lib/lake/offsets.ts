/**
 * Which Kafka records an object of the lake holds: its key names its topic, partition and start
 * offset (object_key.ts), and our sink writes a partition's records in offset order, one JSON
 * line each, so its lines count the offsets after the start.
 *
 * @module
 */

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
