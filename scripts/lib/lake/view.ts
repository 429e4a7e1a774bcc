/**
 * A look into the lake for notebooks: the newest objects of each topic (by offset, not key: keys
 * of lakes written before the sink zero-padded offsets do not sort in offset order), the records
 * of one object, and how far each topic has landed.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { parseObjectKey, topicPrefix } from "./object_key.ts";
import { LakeWatcher } from "./watch.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { explainS3Error, listObjects, readObjectText, s3Client } from "./s3.ts";

/** One object of the lake. */
export interface LakeObject {
  topic: string;
  partition: number;
  startOffset: number;
  key: string;
  size: number;
}

/**
 * The newest `perTopic` objects of each topic, newest first within a topic.
 *
 * @example
 * ```ts ignore
 * const objects = await newestObjects(cfg, 3);
 * objects[0].key; // "topics/0a1b2c3d4e5f.pin/partition=0/0a1b2c3d4e5f.pin+0+0000000500.json"
 * ```
 */
export async function newestObjects(cfg: Config, perTopic: number): Promise<LakeObject[]> {
  const s3 = s3Client(cfg);
  try {
    const out: LakeObject[] = [];
    for (const kind of KINDS) {
      const topic = cfg.names.topics[kind];
      const objects: LakeObject[] = [];
      for (const o of await listObjects(s3, cfg.names.bucket, topicPrefix(topic))) {
        const parsed = parseObjectKey(o.key);
        if (parsed) objects.push({ ...parsed, ...o });
      }
      objects.sort((a, b) => b.startOffset - a.startOffset || a.partition - b.partition);
      out.push(...objects.slice(0, perTopic));
    }
    return out;
  } catch (e) {
    throw explainS3Error(cfg, `list s3://${cfg.names.bucket}/topics`, e);
  } finally {
    s3.destroy();
  }
}

/**
 * The first `limit` records of one object, parsed from its JSON lines.
 *
 * @example
 * ```ts ignore
 * const [first] = await objectRecords(cfg, objects[0].key, 2);
 * ```
 */
export async function objectRecords(
  cfg: Config,
  key: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const s3 = s3Client(cfg);
  let text: string;
  try {
    text = await readObjectText(s3, cfg.names.bucket, key);
  } catch (e) {
    throw explainS3Error(cfg, `read s3://${cfg.names.bucket}/${key}`, e);
  } finally {
    s3.destroy();
  }
  const lines = text.split("\n").filter((l) => l.trim()).slice(0, limit);
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new Error(
        `Cannot parse s3://${cfg.names.bucket}/${key} line ${i + 1}: ${(e as Error).message}`,
      );
    }
  });
}

/**
 * Records landed per topic: the offset up to which each topic's partitions are in the lake,
 * summed over partitions.
 *
 * @example
 * ```ts ignore
 * await landedRecords(cfg); // { pin: 500, geo: 500, user: 500 }
 * ```
 */
export async function landedRecords(cfg: Config): Promise<Record<Kind, number>> {
  const s3 = s3Client(cfg);
  const topics = KINDS.map((k) => cfg.names.topics[k]);
  try {
    const watcher = new LakeWatcher(s3, cfg.names.bucket, topics);
    await watcher.poll();
    const out = {} as Record<Kind, number>;
    for (const k of KINDS) {
      out[k] = [...watcher.visibleEnd(cfg.names.topics[k]).values()].reduce((a, b) => a + b, 0);
    }
    return out;
  } catch (e) {
    throw explainS3Error(cfg, `list s3://${cfg.names.bucket}/topics`, e);
  } finally {
    s3.destroy();
  }
}
