/**
 * The lake as plain data: every `*.json` object under `topics/<topic>/` of the bucket (S3, or
 * MinIO locally), parsed as JSON lines into row arrays (dataframe.ts makes DataFrames of them).
 * Spark reads the same objects in the batch job; this is for notebooks and checks from TypeScript.
 *
 * @module
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../core/config.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { explainS3Error, listObjects, type ObjectInfo, readObjectText, s3Client } from "./s3.ts";
import { topicPrefix } from "./object_key.ts";

/** One record as it landed: field values exactly as the JSON had them. */
export type RawRow = Record<string, unknown>;

/** An object of the lake that is not JSON records; the message names the object and line. */
export class LakeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LakeFormatError";
  }
}

/**
 * True for the objects a reader must take: `*.json`, not hidden (`_` or `.` names are markers
 * and temporary files, which Spark skips too).
 *
 * @example
 * ```ts
 * isLakeObject("topics/x.pin/partition=0/x.pin+0+0000000000.json"); // true
 * isLakeObject("topics/x.pin/partition=0/_SUCCESS"); // false
 * ```
 */
export function isLakeObject(key: string): boolean {
  const name = key.slice(key.lastIndexOf("/") + 1);
  return name.endsWith(".json") && !name.startsWith("_") && !name.startsWith(".");
}

/**
 * Parses the text of one lake object: JSON lines (one record per line, blank lines skipped),
 * or, failing that, one JSON document holding a record or an array of records. `source` names
 * the object in error messages.
 *
 * @example
 * ```ts
 * parseJsonLines('{"ind": 1}\n{"ind": 2}\n', "a.json"); // [{ ind: 1 }, { ind: 2 }]
 * parseJsonLines('{\n  "ind": 1\n}', "b.json"); // [{ ind: 1 }]
 * ```
 */
export function parseJsonLines(text: string, source: string): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      // A pretty-printed object spans lines: the whole text may still be one document.
      const whole = parseDocument(text);
      if (whole) return records(whole, source, 1);
      throw new LakeFormatError(`Cannot parse ${source} line ${i + 1}: ${(e as Error).message}`);
    }
    rows.push(...records(value, source, i + 1));
  }
  return rows;
}

function parseDocument(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function records(value: unknown, source: string, line: number): RawRow[] {
  const list = Array.isArray(value) ? value : [value];
  for (const v of list) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new LakeFormatError(
        `Cannot read ${source} line ${line}: expected a JSON object per record, got ${
          JSON.stringify(v)?.slice(0, 60)
        }`,
      );
    }
  }
  return list as RawRow[];
}

/**
 * Lists the objects of one topic that a reader takes, sorted by key.
 *
 * @example
 * ```ts ignore
 * const objects = await listTopic(s3Client(cfg), cfg.names.bucket, cfg.names.topics.pin);
 * ```
 */
export async function listTopic(
  s3: S3Client,
  bucket: string,
  topic: string,
): Promise<ObjectInfo[]> {
  return (await listObjects(s3, bucket, topicPrefix(topic))).filter((o) => isLakeObject(o.key));
}

/** Options of {@linkcode readTopic}. */
export interface ReadOptions {
  /** Objects fetched at once (default 16): one object per record makes many small requests. */
  concurrency?: number;
}

/**
 * Reads every record of one topic, in key order and line order within an object.
 *
 * @example
 * ```ts ignore
 * const pins = await readTopic(s3Client(cfg), cfg.names.bucket, cfg.names.topics.pin);
 * ```
 */
export async function readTopic(
  s3: S3Client,
  bucket: string,
  topic: string,
  opts: ReadOptions = {},
): Promise<RawRow[]> {
  const objects = await listTopic(s3, bucket, topic);
  const texts: string[] = new Array(objects.length);
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const i = next++;
      texts[i] = await readObjectText(s3, bucket, objects[i].key);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  return objects.flatMap((o, i) => parseJsonLines(texts[i], `s3://${bucket}/${o.key}`));
}

/**
 * Reads the three topics of the configured bucket. Fails with a clear message when a topic has
 * no objects yet, or the store cannot be reached.
 *
 * @example
 * ```ts ignore
 * const lake = await readLake(cfg);
 * lake.pin.length; // records delivered so far, duplicates included
 * ```
 */
export async function readLake(
  cfg: Config,
  opts: ReadOptions = {},
): Promise<Record<Kind, RawRow[]>> {
  const s3 = s3Client(cfg);
  const bucket = cfg.names.bucket;
  const out = {} as Record<Kind, RawRow[]>;
  try {
    for (const kind of KINDS) {
      out[kind] = await readTopic(s3, bucket, cfg.names.topics[kind], opts);
    }
  } catch (e) {
    if (e instanceof LakeFormatError) throw e;
    throw explainS3Error(cfg, `read the lake s3://${bucket}/topics`, e);
  } finally {
    s3.destroy();
  }
  for (const kind of KINDS) {
    if (out[kind].length === 0) {
      throw new Error(
        `Cannot read the lake: no records under s3://${bucket}/topics/${
          cfg.names.topics[kind]
        }/; ` +
          "run the batch emulator and let the S3 sink flush first",
      );
    }
  }
  return out;
}
