/**
 * Waiting, written once: {@linkcode sleep}, and {@linkcode waitFor}, the poll-until-ready loop
 * every "wait until the service, the connector, the stream or the lake is ready" uses.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * import { sleep } from "./time.ts";
 * await sleep(10);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Options of {@linkcode waitFor}. */
export interface WaitOptions {
  /** Give up after this long (the probe runs at least once). */
  timeoutMs: number;
  /** Pause between probes (default 500 ms). */
  intervalMs?: number;
  /** Multiply the pause by this after each probe (default 1: a fixed pause). */
  backoff?: number;
  /** Longest pause when backing off (default: no limit). */
  maxIntervalMs?: number;
  /** The error to throw at the deadline: say what was awaited and what was last seen. */
  timeoutError: () => Error | Promise<Error>;
}

/**
 * Runs `probe` until it returns a value (anything but `undefined` or `false`) and returns that
 * value; throws `timeoutError()` once `timeoutMs` has passed. An error the probe throws ends the
 * wait at once.
 *
 * @example
 * ```ts
 * import { waitFor } from "./time.ts";
 * let n = 0;
 * const v = await waitFor(() => Promise.resolve(++n >= 3 ? n : undefined), {
 *   timeoutMs: 1000,
 *   intervalMs: 1,
 *   timeoutError: () => new Error("n never reached 3"),
 * });
 * v; // 3
 * ```
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  opts: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let pause = opts.intervalMs ?? 500;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw await opts.timeoutError();
    await sleep(pause);
    pause = Math.min(pause * (opts.backoff ?? 1), opts.maxIntervalMs ?? Infinity);
  }
}

/**
 * Rewrites MySQL datetime text as ISO-8601 without zone (docs/spec.md §3).
 *
 * @example
 * ```ts
 * isoDatetime("2020-08-28 03:52:47"); // "2020-08-28T03:52:47"
 * ```
 */
export function isoDatetime(text: string): string {
  return text.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(\.\d+)?)$/, "$1T$2");
}
