/**
 * The batch user-posting emulator (`user_posting_emulation.py` in the original, docs/spec.md §3):
 * picks random posts from the source database and sends each row to its topic through the API. With
 * no pacing option it behaves like the original (a random 0-1 s pause before each post, until
 * stopped); `rate`, `concurrency` and `batch` turn it into a load generator. How rows reach the API
 * is a {@linkcode Sender}: the Kafka topics by default, the Kinesis streams for `emulate:stream`
 * (see `stream_client.ts`).
 *
 * @module
 */
import { type ProduceOptions, produceRecords } from "../api/client.ts";
import { apiRoutes } from "../api/routes.ts";
import type { Config } from "../core/config.ts";
import { isSourceUnavailable } from "../source/mysql.ts";
import { type Kind, KINDS } from "../core/names.ts";
import { Rng } from "../core/rng.ts";
import { type SourcePost, SourcePosts, type SourceRow } from "../source/posts.ts";

/** Sends the rows of one kind in one request; resolves once the API acknowledged every row. */
export type Sender = (kind: Kind, rows: SourceRow[], opts: ProduceOptions) => Promise<unknown>;

/**
 * The batch emulator's sender: one Kafka REST v2 `POST /topics/<topic>` per kind.
 *
 * @example
 * ```ts ignore
 * await emulate(cfg, { count: 10, sender: topicSender(cfg) }); // the default
 * ```
 */
export function topicSender(cfg: Config, apiUrl: string = cfg.apiUrl): Sender {
  const api = apiRoutes(cfg, apiUrl);
  return (kind, rows, opts) => produceRecords(api, cfg.names.topics[kind], rows, opts);
}

/** Options of {@linkcode emulate}. */
export interface EmulateOptions {
  /** Posts to send; unlimited when absent. */
  count?: number;
  /** Seconds after which no new post starts; unlimited when absent. */
  duration?: number;
  /** Posts per second; 0 = as fast as possible; absent = the original random 0-1 s pause. */
  rate?: number;
  /** Requests in flight per topic (default 1). */
  concurrency?: number;
  /** Posts per request: one POST per topic carries this many rows (default 1). */
  batch?: number;
  /** Seed of the row choice; random when absent. */
  seed?: number;
  /** Retries of a request on connection errors and 5xx (default 8). */
  retries?: number;
  /** Keep the acknowledged keys in the summary (default true; long runs may not want them). */
  keepKeys?: boolean;
  /** API base URL (default `cfg.apiUrl`); used by the default sender. */
  apiUrl?: string;
  /** How rows reach the API (default {@linkcode topicSender}: the Kafka topics). */
  sender?: Sender;
  /** Stops starting new posts; posts in flight finish. */
  signal?: AbortSignal;
  onProgress?: (p: EmulateProgress) => void;
  /** Called once per distinct error message. */
  onError?: (message: string) => void;
  /** Called before each retry of a request, with why it failed. */
  onRetry?: (reason: string) => void;
  /**
   * Longest wait for a source database that went down mid-run, in seconds (default 120): the
   * run pauses, retries and resumes; past this it fails.
   */
  sourceWaitSeconds?: number;
  /** Called when the source database becomes unreachable, and once it answers again. */
  onSource?: (e: SourceEvent) => void;
}

/** The source database went away (`down`) or came back (`back`, after `seconds`). */
export type SourceEvent =
  | { state: "down"; reason: string; limitSeconds: number }
  | { state: "back"; seconds: number };

/**
 * The line the emulator prints for a source outage.
 *
 * @example
 * ```ts
 * describeSourceEvent({ state: "back", seconds: 4.2 });
 * // "Source database back after 4.2 s; resuming"
 * ```
 */
export function describeSourceEvent(e: SourceEvent): string {
  return e.state === "down"
    ? `Source database unreachable (${e.reason}); waiting and retrying for up to ` +
      `${e.limitSeconds} s before the next post`
    : `Source database back after ${e.seconds.toFixed(1)} s; resuming`;
}

/** Counters while running. */
export interface EmulateProgress {
  sent: number;
  acknowledged: number;
  failed: number;
  retries: number;
}

/** What {@linkcode emulate} did. */
export interface EmulateSummary extends EmulateProgress {
  /** HTTP requests that got an answer or gave up, retries not counted. */
  requests: number;
  seconds: number;
  /** Acknowledged posts per second of the run. */
  postsPerSecond: number;
  seed: number;
  /** Keys of the acknowledged posts, one per post (keys repeat); empty when not `keepKeys`. */
  keys: number[];
  /** Distinct error messages, first ten. */
  errors: string[];
  /** Seconds spent waiting for the source database. */
  sourceWaitSeconds: number;
}

/** Sleeps `ms`, waking early when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs the emulator until `count` posts were sent, `duration` ran out or `signal` aborted.
 * A run that has never had a post acknowledged stops at the first failure and throws it
 * (API down, topics missing...); later failures are counted and the run goes on.
 *
 * @example
 * ```ts ignore
 * const s = await emulate(cfg, { count: 100, rate: 0, batch: 10, seed: 1 });
 * s.acknowledged; // 100
 * ```
 */
export async function emulate(cfg: Config, opts: EmulateOptions = {}): Promise<EmulateSummary> {
  const sender = opts.sender ?? topicSender(cfg, opts.apiUrl ?? cfg.apiUrl);
  const batch = opts.batch ?? 1;
  const concurrency = opts.concurrency ?? 1;
  const seed = opts.seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
  const pick = new Rng(seed, 0x706f7374); // "post": a stream apart from other uses of the seed
  const pauses = new Rng(seed, 0x70617573);
  const source = await SourcePosts.open(cfg, { connections: Math.min(concurrency, 8) });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener("abort", onAbort);
  if (opts.signal?.aborted) stop.abort();

  const started = performance.now();
  const deadline = opts.duration === undefined ? Infinity : started + opts.duration * 1000;
  const s: EmulateSummary = {
    sent: 0,
    acknowledged: 0,
    failed: 0,
    retries: 0,
    requests: 0,
    seconds: 0,
    postsPerSecond: 0,
    seed,
    keys: [],
    errors: [],
    sourceWaitSeconds: 0,
  };
  let claimed = 0;
  let fatal: Error | undefined;
  const fail = (message: string) => {
    if (s.errors.includes(message)) return;
    if (s.errors.length < 10) s.errors.push(message);
    opts.onError?.(message);
  };
  const stopped = () => stop.signal.aborted || performance.now() >= deadline;

  // Claims are synchronous, so a seed gives the same key sequence whatever the concurrency.
  const claim = () => {
    if (stopped()) return undefined;
    const size = opts.count === undefined ? batch : Math.min(batch, opts.count - claimed);
    if (size <= 0) return undefined;
    const first = claimed;
    claimed += size;
    return { first, keys: Array.from({ length: size }, () => pick.int(source.min, source.max)) };
  };

  // One outage of the source at a time, shared by the workers so it is reported once.
  let sourceDownSince: number | undefined;
  const readPosts = async (keys: number[]): Promise<SourcePost[] | undefined> => {
    for (let attempt = 1;; attempt++) {
      try {
        const posts = await resolve(source, keys, pick);
        if (sourceDownSince !== undefined) {
          const seconds = (performance.now() - sourceDownSince) / 1000;
          sourceDownSince = undefined;
          s.sourceWaitSeconds += seconds;
          opts.onSource?.({ state: "back", seconds });
        }
        return posts;
      } catch (e) {
        if (!isSourceUnavailable(e)) throw e;
        const limit = opts.sourceWaitSeconds ?? 120;
        if (sourceDownSince === undefined) {
          sourceDownSince = performance.now();
          opts.onSource?.({ state: "down", reason: (e as Error).message, limitSeconds: limit });
        }
        const waited = (performance.now() - sourceDownSince) / 1000;
        if (waited > limit) {
          throw new Error(
            `The source database stayed unreachable for ${limit} s: ${(e as Error).message}`,
            { cause: e },
          );
        }
        await pause(Math.min(2000, 100 * 2 ** attempt), stop.signal);
        if (stop.signal.aborted) return undefined;
      }
    }
  };

  const send = async (posts: SourcePost[]) => {
    const produce = (kind: Kind) =>
      sender(kind, posts.map((p) => p[kind]), {
        retries: opts.retries,
        onRetry: (_attempt, reason) => {
          s.retries++;
          opts.onRetry?.(reason);
        },
      });
    const results = await Promise.allSettled(KINDS.map(produce));
    s.requests += results.length;
    s.sent += posts.length;
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (rejected.length === 0) {
      s.acknowledged += posts.length;
      if (opts.keepKeys ?? true) { for (const p of posts) s.keys.push(p.key); }
    } else {
      s.failed += posts.length;
      if (s.acknowledged === 0) {
        // Nothing ever got through: the setup is wrong, so stop and let the caller say why.
        fatal ??= rejected[0].reason as Error;
        stop.abort();
      } else for (const r of rejected) fail((r.reason as Error).message);
    }
    opts.onProgress?.(s);
  };

  const worker = async () => {
    while (true) {
      const job = claim();
      if (!job) return;
      if (opts.rate === undefined) {
        await pause(pauses.next() * 1000, stop.signal);
      } else if (opts.rate > 0) {
        await pause(started + (job.first / opts.rate) * 1000 - performance.now(), stop.signal);
      }
      if (stopped()) return;
      try {
        const posts = await readPosts(job.keys);
        if (!posts) return;
        await send(posts);
      } catch (e) {
        // A source failure ends the run, but only after the other workers' requests finish.
        fatal ??= e as Error;
        stop.abort();
        return;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    await source.close();
  }
  if (fatal) throw fatal;
  s.seconds = (performance.now() - started) / 1000;
  s.postsPerSecond = s.seconds > 0 ? s.acknowledged / s.seconds : 0;
  return s;
}

/** Reads the posts of `keys`, drawing new keys for any the tables lack (gaps in the source). */
async function resolve(source: SourcePosts, keys: number[], pick: Rng): Promise<SourcePost[]> {
  let want = keys;
  const out: SourcePost[] = [];
  for (let round = 0; round < 20 && want.length; round++) {
    const found = await source.read(want);
    const missing = want.filter((k) => !found.has(k));
    for (const k of want) if (found.has(k)) out.push(found.get(k)!);
    want = missing.map(() => pick.int(source.min, source.max));
  }
  if (want.length) {
    throw new Error(
      `Too few aligned rows between keys ${source.min} and ${source.max} of the source tables; ` +
        "re-seed them with `deno task db:seed`",
    );
  }
  return out;
}
