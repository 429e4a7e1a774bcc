/**
 * A raw lake of N posts written straight from the generator, in the S3 sink's layout (JSON lines,
 * `topics/<topic>/partition=0/<topic>+0+<padded start offset>.json`), for the batch benchmark: 1M posts
 * through Kafka would measure ingestion, not Spark.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { geoRow, pinRow, userRow } from "../source/synthetic.ts";
import { isoDatetime as iso } from "../core/time.ts";
import { objectKey, TOPICS_DIR } from "../lake/object_key.ts";
import { dirname } from "node:path";

const ROWS_PER_OBJECT = 100_000;

const RECORD: Record<Kind, (seed: number, k: number) => unknown> = {
  pin: (seed, k) => pinRow(seed, k),
  geo: (seed, k) => {
    const g = geoRow(seed, k);
    return { ...g, timestamp: iso(g.timestamp) };
  },
  user: (seed, k) => {
    const u = userRow(seed, k);
    return { ...u, date_joined: iso(u.date_joined) };
  },
};

/**
 * Writes (once; cached by size and seed) a lake of `posts` posts per topic under the state
 * directory and returns its topics directory (what a job reads as its lake). Post k of the
 * source is offset k of each topic.
 */
export async function benchLake(
  cfg: Config,
  posts: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): Promise<string> {
  const root = `${cfg.stateDir}/bench/lakes/${posts}-${seed}`;
  const lake = `${root}/${TOPICS_DIR}`;
  if (await Deno.stat(`${root}/_COMPLETE`).then(() => true, () => false)) return lake;
  await Deno.remove(root, { recursive: true }).catch(() => {});
  const enc = new TextEncoder();
  let done = 0;
  for (const kind of KINDS) {
    const topic = cfg.names.topics[kind];
    await Deno.mkdir(dirname(`${root}/${objectKey(topic, 0, 0)}`), { recursive: true });
    for (let start = 0; start < posts; start += ROWS_PER_OBJECT) {
      const end = Math.min(posts, start + ROWS_PER_OBJECT);
      const lines: string[] = [];
      for (let k = start; k < end; k++) lines.push(JSON.stringify(RECORD[kind](seed, k)));
      await Deno.writeFile(
        `${root}/${objectKey(topic, 0, start)}`,
        enc.encode(lines.join("\n") + "\n"),
      );
      done += end - start;
      onProgress?.(done, posts * KINDS.length);
    }
  }
  // Written last: a half-written lake (interrupted run) is rebuilt next time.
  await Deno.writeTextFile(`${root}/_COMPLETE`, "");
  return lake;
}
