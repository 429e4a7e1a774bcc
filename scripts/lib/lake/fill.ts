/**
 * Makes sure the lake holds posts, for notebooks and tests that start from any state: seeds the
 * source if it is empty, sets up topics and the connector, and emulates posts only when the lake
 * holds fewer than asked.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { setupTopics } from "../kafka/topics.ts";
import { setupConnector } from "./connector.ts";
import { emulate } from "../emulator/emulator.ts";
import { countLake, type LakeCount, waitForLake } from "./count.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { ensureSource } from "../source/ready.ts";

/** What {@linkcode fillLake} found and did. */
export interface FillReport {
  seeded: boolean;
  emulated: number;
  lake: Record<Kind, LakeCount>;
}

/** Ensures at least `posts` records per topic are in the lake (the stack must be up). */
export async function fillLake(cfg: Config, posts: number, seed = 1): Promise<FillReport> {
  const seeded = (await ensureSource(cfg, { seed })).status === "seeded";
  await setupTopics(cfg);
  await setupConnector(cfg);
  const before = await countLake(cfg);
  const missing = Math.max(0, ...KINDS.map((k) => posts - before[k].records));
  if (missing > 0) {
    const r = await emulate(cfg, {
      count: missing,
      rate: 0,
      batch: 100,
      concurrency: 4,
      seed,
      keepKeys: false,
    });
    if (r.failed) {
      throw new Error(`Cannot fill the lake: ${r.failed} posts failed: ${r.errors.join("; ")}`);
    }
    const target = Object.fromEntries(
      KINDS.map((k) => [k, before[k].records + r.acknowledged]),
    ) as Record<
      Kind,
      number
    >;
    return { seeded, emulated: r.acknowledged, lake: await waitForLake(cfg, target, 60_000) };
  }
  return { seeded, emulated: 0, lake: before };
}
