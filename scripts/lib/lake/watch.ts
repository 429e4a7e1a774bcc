/**
 * Watches what the S3 sink has landed, by offset: which records of each topic partition are
 * visible in the lake, and since when. Object keys name their first offset (docs/spec.md §1) and
 * our sink writes a partition's records in offset order, so an object holds the offsets from its
 * start up to the next object's start; only the newest object of a partition is ever read.
 *
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../core/config.ts";
import { kafkaClient } from "../kafka/client.ts";
import { countLines } from "./offsets.ts";
import { parseObjectKey, topicPrefix } from "./object_key.ts";
import { KINDS } from "../core/names.ts";
import { explainS3Error, listObjects, readObjectText, s3Client } from "./s3.ts";
import { sleep } from "../core/time.ts";

/** A range of offsets of one partition that became visible at `seenAt` (performance.now ms). */
export interface Landed {
  start: number;
  end: number;
  seenAt: number;
}

/**
 * The offset ranges a partition's objects hold, sorted by start offset: each object ends where
 * the next begins, the last after its `lastLines` records.
 *
 * @example
 * ```ts
 * import { landedRanges } from "./watch.ts";
 * landedRanges([{ key: "a", start: 0 }, { key: "b", start: 5 }], 3, () => 1);
 * // [{ start: 0, end: 5, seenAt: 1 }, { start: 5, end: 8, seenAt: 1 }]
 * ```
 */
export function landedRanges(
  objects: { key: string; start: number }[],
  lastLines: number,
  seenAt: (key: string) => number,
): Landed[] {
  return objects.map((o, i) => ({
    start: o.start,
    end: objects[i + 1]?.start ?? o.start + lastLines,
    seenAt: seenAt(o.key),
  }));
}

/**
 * When the record at `offset` was first listed, or undefined while no range holds it.
 *
 * @example
 * ```ts
 * import { visibleSince } from "./watch.ts";
 * visibleSince([{ start: 0, end: 5, seenAt: 1 }, { start: 5, end: 8, seenAt: 2 }], 6); // 2
 * ```
 */
export function visibleSince(ranges: Landed[], offset: number): number | undefined {
  // Backlogs make many ranges, but a landing run asks about the newest ones: search from the end.
  for (let i = ranges.length - 1; i >= 0; i--) {
    const r = ranges[i];
    if (offset >= r.start && offset < r.end) return r.seenAt;
    if (r.end <= offset) return undefined;
  }
  return undefined;
}

/**
 * Watches the lake objects of some topics: which offsets of each partition are visible, and
 * since when. Only the last object of a partition is read (to count its lines); every other
 * object ends where the next one starts, so large backlogs cost one listing, not a download.
 */
export class LakeWatcher {
  /** First-seen time of each object key. */
  #seen = new Map<string, number>();
  /** Line counts of last-in-partition objects, by key and size (a retried flush rewrites). */
  #lines = new Map<string, number>();
  /** Visible ranges by `topic/partition`, ordered by start. */
  #ranges = new Map<string, Landed[]>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly topics: string[],
  ) {}

  /**
   * Lists the topics once and updates the visible ranges; returns when the listing began.
   *
   * @example
   * ```ts ignore
   * const w = new LakeWatcher(s3Client(cfg), cfg.names.bucket, [cfg.names.topics.pin]);
   * await w.poll();
   * w.visibleEnd(cfg.names.topics.pin); // Map { 0 => 1234 }
   * ```
   */
  async poll(): Promise<number> {
    const at = performance.now();
    for (const topic of this.topics) {
      // An object is visible from when the listing that showed it began, not the poll: later
      // topics' listings may show objects written after the poll began.
      const listedAt = performance.now();
      const byPartition = new Map<number, { key: string; size: number; start: number }[]>();
      for (const o of await listObjects(this.s3, this.bucket, topicPrefix(topic))) {
        const parsed = parseObjectKey(o.key);
        if (!parsed || parsed.topic !== topic) continue;
        if (!this.#seen.has(o.key)) this.#seen.set(o.key, listedAt);
        const list = byPartition.get(parsed.partition) ?? [];
        list.push({ ...o, start: parsed.startOffset });
        byPartition.set(parsed.partition, list);
      }
      for (const [partition, objects] of byPartition) {
        objects.sort((a, b) => a.start - b.start);
        const last = objects[objects.length - 1];
        const id = `${last.key}@${last.size}`;
        let n = this.#lines.get(id);
        if (n === undefined) {
          n = countLines(await readObjectText(this.s3, this.bucket, last.key));
          this.#lines.set(id, n);
        }
        this.#ranges.set(
          `${topic}/${partition}`,
          landedRanges(objects, n, (key) => this.#seen.get(key)!),
        );
      }
    }
    return at;
  }

  /** When the record at `offset` was first listed, or undefined while it is not visible. */
  visibleAt(topic: string, partition: number, offset: number): number | undefined {
    return visibleSince(this.#ranges.get(`${topic}/${partition}`) ?? [], offset);
  }

  /** The first offset not yet visible in each partition of `topic`. */
  visibleEnd(topic: string): Map<number, number> {
    const out = new Map<number, number>();
    for (const [id, ranges] of this.#ranges) {
      const slash = id.lastIndexOf("/");
      if (id.slice(0, slash) !== topic || ranges.length === 0) continue;
      out.set(Number(id.slice(slash + 1)), ranges[ranges.length - 1].end);
    }
    return out;
  }
}

/** What {@linkcode waitForLakeCatchUp} found. */
export interface CatchUpResult {
  /** Seconds until the lake held every record Kafka had when the wait began. */
  seconds: number;
  /** Records that were not visible yet when the wait began. */
  backlog: number;
}

/**
 * Waits until the lake holds every record the topics had when called (the S3 sink caught up),
 * so a measurement that follows is not queued behind earlier load.
 *
 * @example
 * ```ts ignore
 * const { seconds, backlog } = await waitForLakeCatchUp(cfg, 120_000);
 * ```
 */
export async function waitForLakeCatchUp(
  cfg: Config,
  timeoutMs: number,
  onProgress?: (remaining: number) => void,
): Promise<CatchUpResult> {
  const topics = KINDS.map((k) => cfg.names.topics[k]);
  const admin = kafkaClient(cfg, "lake-catch-up", { quiet: true }).admin();
  await admin.connect();
  const targets = new Map<string, Map<number, number>>();
  try {
    for (const t of topics) {
      const offsets = await admin.fetchTopicOffsets(t);
      targets.set(t, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
    }
  } finally {
    await admin.disconnect();
  }
  const s3 = s3Client(cfg);
  const watcher = new LakeWatcher(s3, cfg.names.bucket, topics);
  const started = performance.now();
  let backlog: number | undefined;
  try {
    for (;;) {
      try {
        await watcher.poll();
      } catch (e) {
        throw explainS3Error(cfg, `list the lake s3://${cfg.names.bucket}/topics`, e);
      }
      let remaining = 0;
      for (const t of topics) {
        const visible = watcher.visibleEnd(t);
        for (const [p, high] of targets.get(t)!) {
          remaining += Math.max(0, high - (visible.get(p) ?? 0));
        }
      }
      backlog ??= remaining;
      onProgress?.(remaining);
      const seconds = (performance.now() - started) / 1000;
      if (remaining === 0) return { seconds, backlog };
      if (seconds * 1000 > timeoutMs) {
        throw new Error(
          `The lake is ${remaining} records behind Kafka after ${timeoutMs / 1000} s: the S3 ` +
            `sink is stalled or slow; check \`deno task stack:status\` and ${cfg.stateDir}/logs/connect.log`,
        );
      }
      await sleep(500);
    }
  } finally {
    s3.destroy();
  }
}
