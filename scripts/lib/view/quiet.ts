/**
 * Runs a step with its progress lines kept out of the output, for notebooks: their committed
 * outputs show results, not install and start-up logs. The lines are returned, and printed to
 * stderr when the step fails, so a failure still shows what led to it.
 *
 * @module
 */

/** A step's result and the lines it printed. */
export interface Quiet<T> {
  value: T;
  lines: string[];
}

const METHODS = ["log", "info", "warn"] as const;

/**
 * Runs `fn` with console.log, console.info and console.warn captured.
 *
 * @example
 * ```ts
 * import { quietly } from "./quiet.ts";
 * const { value, lines } = await quietly(() => {
 *   console.log("starting");
 *   return Promise.resolve(42);
 * });
 * // value === 42, lines == ["starting"]
 * ```
 */
export async function quietly<T>(fn: () => Promise<T>): Promise<Quiet<T>> {
  const lines: string[] = [];
  const saved = METHODS.map((m) => console[m]);
  for (const m of METHODS) {
    console[m] = (...args: unknown[]) => {
      lines.push(args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" "));
    };
  }
  try {
    return { value: await fn(), lines };
  } catch (e) {
    METHODS.forEach((m, i) => console[m] = saved[i]);
    if (lines.length) console.error(lines.slice(-30).join("\n"));
    throw e;
  } finally {
    METHODS.forEach((m, i) => console[m] = saved[i]);
  }
}
