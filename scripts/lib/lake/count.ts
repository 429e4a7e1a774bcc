/**
 * Counts what the S3 sink has landed: objects and JSON lines under each topic prefix.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { listObjects, readObjectText, s3Client } from "./s3.ts";
import { waitFor } from "../core/time.ts";
import { topicPrefix } from "./object_key.ts";

/** Objects and records under one topic prefix. */
export interface LakeCount {
  objects: number;
  records: number;
}

/** Counts objects and non-empty lines under `topics/<topic>/` for each kind. */
export async function countLake(cfg: Config): Promise<Record<Kind, LakeCount>> {
  const s3 = s3Client(cfg);
  try {
    const out = {} as Record<Kind, LakeCount>;
    for (const k of KINDS) {
      const objects = await listObjects(s3, cfg.names.bucket, topicPrefix(cfg.names.topics[k]));
      let records = 0;
      for (const o of objects) {
        const text = await readObjectText(s3, cfg.names.bucket, o.key);
        records += text.split("\n").filter((l) => l.trim()).length;
      }
      out[k] = { objects: objects.length, records };
    }
    return out;
  } finally {
    s3.destroy();
  }
}

/**
 * Waits until every topic has at least `target[kind]` records in the lake; throws naming the
 * topics that fell short when `timeoutMs` passes.
 */
export async function waitForLake(
  cfg: Config,
  target: Record<Kind, number>,
  timeoutMs: number,
): Promise<Record<Kind, LakeCount>> {
  let counts: Record<Kind, LakeCount>;
  const short = () => KINDS.filter((k) => counts[k].records < target[k]);
  return await waitFor(async () => {
    counts = await countLake(cfg);
    return short().length === 0 && counts;
  }, {
    timeoutMs,
    intervalMs: 1000,
    timeoutError: () =>
      new Error(
        `The lake is missing records after ${timeoutMs / 1000} s: ` +
          short().map((k) => `${cfg.names.topics[k]} has ${counts[k].records} of ${target[k]}`)
            .join(", ") +
          "; check `deno task stack:status` and .state/logs/connect.log",
      ),
  });
}
