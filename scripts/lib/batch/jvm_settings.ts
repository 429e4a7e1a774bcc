/**
 * How much raw JSON a batch run will read, and the JVM settings and shuffle partitions that suit
 * that much.
 *
 * Small data runs faster without the C2 JIT and whole-stage code generation (compiling hot code
 * costs more than it saves), large data the other way round. Measured with `deno task bench
 * batch` on 2 cores: 11k posts (8.5 MB) 14.0 s quick vs 20.4 s full; 100k (78 MB) 22.2 vs
 * 26.2 s; 1M (776 MB) 89 vs 57 s; the lines cross near 136 MB.
 *
 * @module
 */
import { join } from "node:path";
import type { Config } from "../core/config.ts";
import { isLakeObject } from "../lake/lake.ts";
import { KINDS } from "../core/names.ts";
import { listObjects, s3Client } from "../lake/s3.ts";

/** Raw JSON from this size up runs with the JIT settings for large data. */
export const FULL_JIT_BYTES = 128 * 1024 * 1024;

/**
 * True when `bytes` of raw JSON run faster with the small-data JVM settings.
 *
 * @example
 * ```ts
 * quickFor(8_500_000); // true
 * quickFor(776_000_000); // false
 * ```
 */
export function quickFor(bytes: number): boolean {
  return bytes < FULL_JIT_BYTES;
}

/** Raw JSON per shuffle partition: each task of a shuffle gets about this much to work on. */
export const SHUFFLE_PARTITION_BYTES = 32 * 1024 * 1024;
/** Shuffle partitions at most: twice the cores of `local[2]`, which large data needs. */
export const MAX_SHUFFLE_PARTITIONS = 4;

/**
 * Shuffle partitions for `bytes` of raw JSON: one per 32 MiB, 1 to 4. Each partition is a task
 * in every shuffle stage of every query, and at the course's size four of them cost more in
 * per-task work than they bring in parallelism (the three kinds and the queries already run side
 * by side): `deno task batch` at 11k posts 6.0 s instead of 7.4 s on the warm Spark Connect
 * server, 18 s instead of 21 s on its own JVM.
 *
 * @example
 * ```ts
 * shufflePartitionsFor(8_500_000); // 1
 * shufflePartitionsFor(78_000_000); // 3
 * shufflePartitionsFor(776_000_000); // 4
 * ```
 */
export function shufflePartitionsFor(bytes: number): number {
  return Math.min(MAX_SHUFFLE_PARTITIONS, Math.max(1, Math.ceil(bytes / SHUFFLE_PARTITION_BYTES)));
}

/** The JVM settings picked for a lake, and the size they were picked by. */
export interface JvmChoice {
  bytes: number;
  /** The small-data settings (`SparkJob.quick`). */
  quick: boolean;
  label: "small-data" | "large-data";
  /** See {@linkcode shufflePartitionsFor}. */
  shufflePartitions: number;
}

/**
 * Sizes the raw JSON of every kind's topic under `lake` and picks the JVM settings for it;
 * throws like {@linkcode lakeBytes}.
 *
 * @example
 * ```ts ignore
 * const { quick, label } = await jvmForLake(cfg, "s3a://bucket/topics");
 * ```
 */
export async function jvmForLake(cfg: Config, lake: string): Promise<JvmChoice> {
  const bytes = await lakeBytes(cfg, lake, KINDS.map((k) => cfg.names.topics[k]));
  const quick = quickFor(bytes);
  return {
    bytes,
    quick,
    label: quick ? "small-data" : "large-data",
    shufflePartitions: shufflePartitionsFor(bytes),
  };
}

/**
 * Sums the sizes of the objects a reader takes (`*.json`, not hidden) under `<lake>/<topic>/`
 * for each topic; `lake` is a `file://` or `s3a://` URI. Throws naming the lake when it cannot
 * be listed.
 *
 * @example
 * ```ts ignore
 * await lakeBytes(cfg, "file:///tmp/lake", ["x.pin", "x.geo", "x.user"]);
 * ```
 */
export async function lakeBytes(cfg: Config, lake: string, topics: string[]): Promise<number> {
  const base = lake.replace(/\/+$/, "");
  if (base.startsWith("file://")) {
    let total = 0;
    for (const topic of topics) total += await dirBytes(join(base.slice(7), topic));
    return total;
  }
  const m = base.match(/^s3a?:\/\/([^/]+)\/?(.*)$/);
  if (!m) throw new Error(`Cannot size the lake ${lake}: use a file:// or s3a:// URI`);
  const [, bucket, prefix] = m;
  const s3 = s3Client(cfg);
  try {
    let total = 0;
    for (const topic of topics) {
      const objects = await listObjects(s3, bucket, `${prefix ? `${prefix}/` : ""}${topic}/`);
      for (const o of objects) if (isLakeObject(o.key)) total += o.size;
    }
    return total;
  } finally {
    s3.destroy();
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 0;
    throw e;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) total += await dirBytes(path);
    else if (entry.isFile && isLakeObject(entry.name)) total += (await Deno.stat(path)).size;
  }
  return total;
}
