/**
 * Shared command-line plumbing: argument parsing that rejects unknown flags, and a main
 * wrapper that prints errors as one clear message (no stack trace) with exit code 1.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Parses `args` strictly; an unknown or malformed flag throws a message naming it. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
  usage: string,
) {
  // `--rows -3` must reach validation as a value, not fail as an unknown flag "-3".
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : "";
    if (options[name]?.type === "string" && /^-\d/.test(args[i + 1] ?? "")) {
      joined.push(`${args[i]}=${args[++i]}`);
    } else joined.push(args[i]);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new Error(`${(e as Error).message}\nUsage: ${usage}`);
  }
}

/** Runs `fn`, printing a thrown error's message and exiting 1. */
export async function main(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    console.error(`✘ ${e instanceof Error ? e.message : String(e)}`);
    if (Deno.env.get("PIPELINE_DEBUG") && e instanceof Error) console.error(e.stack);
    Deno.exit(1);
  }
}

/**
 * Validates `--rows`/`--seed` style input: a whole number within bounds, or an error that says
 * what was wrong.
 */
export function parseCount(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new Error(`Invalid --${name} ${JSON.stringify(raw)}: expected a whole number`);
  }
  if (n < min) throw new Error(`Invalid --${name} ${n}: must be at least ${min}`);
  return n;
}

/**
 * Parses a decimal number flag; `positive` rejects 0.
 *
 * @example
 * ```ts
 * parseNumber("rate", "2.5", { positive: false }); // 2.5
 * ```
 */
export function parseNumber(
  name: string,
  raw: string | undefined,
  opts: { positive: boolean },
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) {
    throw new Error(`Invalid --${name} ${JSON.stringify(raw)}: expected a number`);
  }
  if (opts.positive ? n <= 0 : n < 0) {
    throw new Error(`Invalid --${name} ${n}: must be ${opts.positive ? "above 0" : "0 or more"}`);
  }
  return n;
}
