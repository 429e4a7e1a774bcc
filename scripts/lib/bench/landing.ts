/**
 * Lake landing latency: how long a record acknowledged by the API takes to become visible in the
 * lake (MinIO locally, S3 on AWS). Records are sent at a steady rate through the API; each is
 * identified by the topic, partition and offset the API acknowledged, and a poller watches the
 * object listing, where each object's key names its first offset (docs/spec.md §1). The records
 * stay exactly the source rows, so the bench adds nothing the cleaning step would have to drop.
 *
 * @module
 */
import { produceRecords } from "../api/client.ts";
import { apiRoutes } from "../api/routes.ts";
import { summarize, type Summary } from "./stats.ts";
import type { Config } from "../core/config.ts";
import { LakeWatcher } from "../lake/watch.ts";
import { KINDS } from "../core/names.ts";
import { Rng } from "../core/rng.ts";
import { explainS3Error, s3Client } from "../lake/s3.ts";
import { SourcePosts } from "../source/posts.ts";
import { sleep } from "../core/time.ts";

/** Options of {@linkcode measureLanding}. */
export interface LandingOptions {
  /** Posts per second (each post is one record on each of the three topics). */
  rate: number;
  /** Seconds of sending. */
  seconds: number;
  /** Seed of the row choice. */
  seed: number;
  /** Interval of the lake listing, ms (default 250): the resolution of the measurement. */
  pollMs?: number;
  /** How long to wait after the last send for stragglers, ms (default 60 s). */
  graceMs?: number;
  /** Called after each poll with the records sent, acknowledged and visible so far. */
  onProgress?: (p: { sent: number; acknowledged: number; visible: number }) => void;
}

/** What {@linkcode measureLanding} measured; times in seconds. */
export interface LandingResult {
  rate: number;
  seconds: number;
  pollMs: number;
  records: number;
  acknowledged: number;
  visible: number;
  /** Send -> API acknowledgement. */
  ack?: Summary;
  /** Send -> first listing that showed the record's object. */
  landing?: Summary;
  errors: string[];
}

/** A record on its way: sent at `sentAt`, acknowledged at a partition and offset. */
interface Tracked {
  topic: string;
  sentAt: number;
  ackAt?: number;
  partition?: number;
  offset?: number;
  visibleAt?: number;
}

/**
 * Sends `rate` posts per second for `seconds` through the API, one request per record, and
 * polls the lake until every acknowledged record is visible (or `graceMs` after the last send).
 *
 * @example
 * ```ts ignore
 * const r = await measureLanding(cfg, { rate: 50, seconds: 20, seed: 1 });
 * r.landing?.p95; // seconds from send to visible in the lake
 * ```
 */
export async function measureLanding(cfg: Config, opts: LandingOptions): Promise<LandingResult> {
  const pollMs = opts.pollMs ?? 250;
  const total = Math.max(1, Math.round(opts.rate * opts.seconds));
  const source = await SourcePosts.open(cfg, { connections: 2 });
  const pick = new Rng(opts.seed, 0x6c616e64); // "land": apart from the throughput runs' stream
  let posts;
  try {
    const keys = Array.from({ length: total }, () => pick.int(source.min, source.max));
    const found = await source.read(keys);
    posts = keys.map((k) => found.get(k)).filter((p) => p !== undefined);
  } finally {
    await source.close();
  }
  const topics = KINDS.map((k) => cfg.names.topics[k]);
  const api = apiRoutes(cfg);
  const s3 = s3Client(cfg);
  const watcher = new LakeWatcher(s3, cfg.names.bucket, topics);
  const tracked: Tracked[] = [];
  const errors = new Set<string>();
  let sending = true;

  const sender = async () => {
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < posts.length; i++) {
      await sleep(started + (i / opts.rate) * 1000 - performance.now());
      for (const kind of KINDS) {
        const t: Tracked = { topic: cfg.names.topics[kind], sentAt: performance.now() };
        tracked.push(t);
        inFlight.push(
          produceRecords(api, t.topic, [posts[i][kind]], { retries: 0 }).then((r) => {
            t.ackAt = performance.now();
            t.partition = r.offsets[0].partition;
            t.offset = r.offsets[0].offset;
          }, (e) => void errors.add((e as Error).message)),
        );
      }
    }
    await Promise.all(inFlight);
    sending = false;
  };

  const poller = async () => {
    let deadline = Infinity;
    for (;;) {
      const at = await watcher.poll();
      let visible = 0;
      for (const t of tracked) {
        if (t.visibleAt === undefined && t.offset !== undefined) {
          t.visibleAt = watcher.visibleAt(t.topic, t.partition!, t.offset);
        }
        if (t.visibleAt !== undefined) visible++;
      }
      const acknowledged = tracked.filter((t) => t.ackAt !== undefined).length;
      opts.onProgress?.({ sent: tracked.length, acknowledged, visible });
      if (!sending) {
        if (visible === acknowledged) return;
        if (deadline === Infinity) deadline = at + (opts.graceMs ?? 60_000);
        if (at > deadline) return;
      }
      await sleep(pollMs - (performance.now() - at));
    }
  };

  try {
    await Promise.all([sender(), poller()]);
  } catch (e) {
    throw explainS3Error(cfg, `list the lake s3://${cfg.names.bucket}/topics`, e);
  } finally {
    s3.destroy();
  }
  const acked = tracked.filter((t) => t.ackAt !== undefined);
  const landed = acked.filter((t) => t.visibleAt !== undefined);
  const secs = (ms: number) => ms / 1000;
  return {
    rate: opts.rate,
    seconds: opts.seconds,
    pollMs,
    records: tracked.length,
    acknowledged: acked.length,
    visible: landed.length,
    ack: acked.length ? summarize(acked.map((t) => secs(t.ackAt! - t.sentAt))) : undefined,
    landing: landed.length
      ? summarize(landed.map((t) => secs(Math.max(0, t.visibleAt! - t.sentAt))))
      : undefined,
    errors: [...errors].slice(0, 10),
  };
}
