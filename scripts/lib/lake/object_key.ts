/**
 * The lake's object key layout, defined once (docs/spec.md §1): the Confluent S3 sink's
 * `topics/<topic>/partition=<p>/<topic>+<p>+<start offset>.json`, the start offset zero-padded to
 * {@linkcode OFFSET_PAD_WIDTH} digits. The connector config, the lake readers, the benchmark's
 * lake writer and the tests all take it from here.
 *
 * @module
 */

/** The sink's `file.name.template` (our sink and Confluent's read the same placeholders). */
export const FILE_NAME_TEMPLATE =
  "topics/{{topic}}/partition={{partition}}/{{topic}}+{{partition}}+{{start_offset}}.json";

/**
 * Digits the start offset of a key is zero-padded to: Confluent's `filename.offset.zero.pad.width`
 * and its default, set on both sinks. Readers take any padding: lakes written before the sink
 * padded hold unpadded keys.
 */
export const OFFSET_PAD_WIDTH = 10;

/** The directory under the bucket that holds every topic. */
export const TOPICS_DIR = FILE_NAME_TEMPLATE.slice(0, FILE_NAME_TEMPLATE.indexOf("/"));

/** Topic, partition and first offset of one lake object. */
export interface ObjectOffsets {
  topic: string;
  partition: number;
  startOffset: number;
}

/**
 * The key of the object holding a partition's records from `startOffset` on, the offset
 * zero-padded to `pad` digits (0: unpadded, as the sink wrote keys before it padded them).
 *
 * @example
 * ```ts
 * import { objectKey } from "./object_key.ts";
 * objectKey("x.pin", 0, 42); // "topics/x.pin/partition=0/x.pin+0+0000000042.json"
 * objectKey("x.pin", 0, 42, 0); // "topics/x.pin/partition=0/x.pin+0+42.json"
 * ```
 */
export function objectKey(
  topic: string,
  partition: number,
  startOffset: number,
  pad = OFFSET_PAD_WIDTH,
): string {
  return FILE_NAME_TEMPLATE.replaceAll("{{topic}}", topic)
    .replaceAll("{{partition}}", String(partition))
    .replaceAll("{{start_offset}}", String(startOffset).padStart(pad, "0"));
}

/**
 * The key prefix of one topic's objects (with its trailing slash).
 *
 * @example
 * ```ts
 * import { topicPrefix } from "./object_key.ts";
 * topicPrefix("x.pin"); // "topics/x.pin/"
 * ```
 */
export function topicPrefix(topic: string): string {
  return `${TOPICS_DIR}/${topic}/`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// The file name part of the template, as a pattern: any zero padding of the offset.
const FILE_NAME = new RegExp(
  "^" + escape(FILE_NAME_TEMPLATE.slice(FILE_NAME_TEMPLATE.lastIndexOf("/") + 1))
    .replace(escape("{{topic}}"), "(.+)")
    .replace(escape("{{partition}}"), "(\\d+)")
    .replace(escape("{{start_offset}}"), "(\\d+)") +
    "$",
);

/**
 * Parses an object key of the layout (its file name; any zero padding of the offset);
 * undefined for keys of another shape.
 *
 * @example
 * ```ts
 * import { parseObjectKey } from "./object_key.ts";
 * parseObjectKey("topics/x.pin/partition=0/x.pin+0+0000000042.json");
 * // { topic: "x.pin", partition: 0, startOffset: 42 }
 * ```
 */
export function parseObjectKey(key: string): ObjectOffsets | undefined {
  const m = FILE_NAME.exec(key.slice(key.lastIndexOf("/") + 1));
  if (!m) return undefined;
  return { topic: m[1], partition: Number(m[2]), startOffset: Number(m[3]) };
}
