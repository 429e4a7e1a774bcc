/**
 * What the fault cases share: a user id of the case's own (topics, bucket, sink, API), an
 * emulation with a fault injected part-way, and the counts by post id in the lake and in the
 * cleaned tables of the batch job.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Api, startApi } from "../../scripts/lib/api/gateway.ts";
import { runBatch } from "../../scripts/lib/batch/batch.ts";
import { type Config, loadConfig } from "../../scripts/lib/core/config.ts";
import { setupConnector } from "../../scripts/lib/lake/connector.ts";
import {
  describeSourceEvent,
  emulate,
  type EmulateOptions,
  type EmulateSummary,
  type SourceEvent,
} from "../../scripts/lib/emulator/emulator.ts";
import { readLake } from "../../scripts/lib/lake/lake.ts";
import { waitForLake } from "../../scripts/lib/lake/count.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { SourcePosts } from "../../scripts/lib/source/posts.ts";
import { sleep } from "../../scripts/lib/core/time.ts";
import { setupTopics } from "../../scripts/lib/kafka/topics.ts";
import { tally, tallyCopies } from "../../scripts/lib/faults/report.ts";
import { testUserId } from "../harness.ts";
import { waitFor } from "../../scripts/lib/core/time.ts";
import { stackContext } from "../../scripts/lib/stack/context.ts";
import type { StackContext } from "../../scripts/lib/stack/component.ts";
import { selectComponents, SERVICES } from "../../scripts/lib/stack/registry.ts";
import { readPid } from "../../scripts/lib/stack/process.ts";
import { pidFile, serviceState, startService } from "../../scripts/lib/stack/service.ts";
import { crash, down, up } from "../../scripts/lib/stack/stack.ts";

/** Posts per case, and their pace: about 15 s of sending, the fault 4 s in. */
export const POSTS = 3000;
export const RATE = 200;
export const FAULT_AT_MS = 4000;

/** Where each kind's post id is: pins by unique_id, geo and user rows by the source key. */
export const ID: Record<Kind, string> = { pin: "unique_id", geo: "ind", user: "ind" };

/** One case: its config (own user id) and an API of its own in this process. */
export interface Case {
  cfg: Config;
  api: Api;
}

/** The config of a user id of the case's own, its topics and S3 sink set up. */
export async function caseConfig(slug: string): Promise<Config> {
  const cfg = await loadConfig({ overrides: { PIPELINE_USER_ID: testUserId(slug) } });
  await setupTopics(cfg);
  await setupConnector(cfg);
  return cfg;
}

/** A user id of the case's own: its topics, bucket and sink, and an API that accepts them. */
export async function newCase(slug: string): Promise<Case> {
  const cfg = await caseConfig(slug);
  return { cfg, api: startApi(cfg, { port: 0 }) };
}

/** What an emulation with a fault did. */
export interface Run {
  summary: EmulateSummary;
  injected: string;
  retryReasons: string[];
  source: SourceEvent[];
}

/**
 * Emulates POSTS posts through `apiUrl` (the case's API by default) and runs `fault`
 * FAULT_AT_MS into it; returns both outcomes.
 */
export async function emulateWith(
  c: { cfg: Config; api?: Api },
  fault: () => Promise<string>,
  opts: EmulateOptions = {},
): Promise<Run> {
  const retryReasons: string[] = [];
  const source: SourceEvent[] = [];
  const sending = emulate(c.cfg, {
    apiUrl: c.api?.url,
    count: POSTS,
    rate: RATE,
    batch: 10,
    concurrency: 2,
    seed: 7,
    onRetry: (r) => retryReasons.push(r),
    onSource: (e) => {
      source.push(e);
      console.log(`  emulator: ${describeSourceEvent(e)}`);
    },
    ...opts,
  });
  await sleep(FAULT_AT_MS);
  const injected = await fault();
  const summary = await sending;
  console.log(
    `  emulator: ${summary.acknowledged} acknowledged, ${summary.failed} failed, ` +
      `${summary.retries} retries in ${summary.seconds.toFixed(1)} s`,
  );
  return { summary, injected, retryReasons, source };
}

/** The ids each kind's records must carry for the acknowledged posts (repeats kept). */
export async function expectedIds(cfg: Config, keys: number[]): Promise<Record<Kind, string[]>> {
  const source = await SourcePosts.open(cfg);
  try {
    const posts = await source.read(keys);
    return Object.fromEntries(
      KINDS.map((k) => [k, keys.map((key) => String(posts.get(key)![k][ID[k]]))]),
    ) as Record<Kind, string[]>;
  } finally {
    await source.close();
  }
}

/** Counts of one kind's ids. */
export type Counts = ReturnType<typeof tallyCopies>;

/**
 * Waits until the lake holds a copy of every acknowledged record, and a few flushes more so a
 * late duplicate would show, then counts each kind's copies against what was acknowledged.
 */
export async function countLake(c: { cfg: Config }, run: Run, timeoutMs = 120_000) {
  const n = run.summary.acknowledged;
  const started = performance.now();
  await waitForLake(c.cfg, { pin: n, geo: n, user: n }, timeoutMs);
  const caughtUp = (performance.now() - started) / 1000;
  await sleep(5000);
  const lake = await readLake(c.cfg);
  const want = await expectedIds(c.cfg, run.summary.keys);
  const counts = Object.fromEntries(
    KINDS.map((k) => [k, tallyCopies(want[k], lake[k].map((r) => String(r[ID[k]])))]),
  ) as Record<Kind, Counts>;
  return { counts, caughtUp, want };
}

/**
 * Runs the batch job on the case's lake and counts each kind's distinct posts in its cleaned
 * table against `want` (what the source says was acknowledged). The answers are left out: the
 * counts are of the cleaned tables, and ten queries would cost each case about 10 s.
 */
export async function countCleaned(
  cfg: Config,
  want: Record<Kind, string[]>,
): Promise<Record<Kind, Counts>> {
  const out = await Deno.makeTempDir({ prefix: "fault-batch-" });
  try {
    const { report } = await runBatch(cfg, { out, show: POSTS * 2, queries: [] });
    return Object.fromEntries(
      KINDS.map((k) => [k, tally(want[k], report.tables[k].rows.map((r) => String(r[ID[k]])))]),
    ) as Record<Kind, Counts>;
  } finally {
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
}

/** The goal: a killed service back and healthy within this. */
export const BACK_WITHIN_S = 10;

/** Asserts `seconds` (how soon `what` was back and healthy) is within the goal. */
export function assertBackWithin(seconds: number, what = "back"): void {
  assert.ok(
    seconds < BACK_WITHIN_S,
    `${what} within ${BACK_WITHIN_S} s (took ${seconds.toFixed(1)} s)`,
  );
}

/** SIGKILLs a service of the stack and waits until the supervisor has it healthy again. */
export async function crashAndWait(
  ctx: StackContext,
  name: string,
): Promise<{ pid: number; s: number }> {
  const [svc] = selectComponents(SERVICES, [name]);
  const pid = await crash(ctx, name);
  const killed = performance.now();
  await waitFor(async () => {
    const st = await serviceState(ctx, svc);
    return st.state === "healthy" && st.pid !== pid;
  }, {
    timeoutMs: 60_000,
    intervalMs: 100,
    timeoutError: () => new Error(`${svc.title} was not back and healthy 60 s after its SIGKILL`),
  });
  const s = (performance.now() - killed) / 1000;
  console.log(`  ${svc.title}: SIGKILLed pid ${pid}, back and healthy after ${s.toFixed(1)} s`);
  return { pid, s };
}

/**
 * Runs the stack's own `name` service (the API gateway, Kafka Connect) for `cfg`'s user id: the
 * gateway serves that id's topics and streams, and a restarted Connect registers that id's sink.
 * It runs under the supervisor like any service; resolves to a function that puts back the one
 * that ran before (for whichever user id), or none.
 */
export async function serviceFor(
  ctx: StackContext,
  cfg: Config,
  name: "api" | "connect",
): Promise<() => Promise<void>> {
  const [svc] = selectComponents(SERVICES, [name]);
  const before = (await serviceState(ctx, svc)).state !== "stopped";
  const beforeFor = (await readPid(pidFile(ctx, svc)))?.userId;
  if (before) await down(ctx, { only: [name] });
  await startService(await stackContext(cfg), svc);
  return async () => {
    await down(ctx, { only: [name] });
    if (!before) return;
    const overrides: Record<string, string> = beforeFor ? { PIPELINE_USER_ID: beforeFor } : {};
    await up(await stackContext(await loadConfig({ overrides })), [name]);
  };
}
