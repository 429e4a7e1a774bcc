/**
 * Command-line options of `deno task emulate`, validated with messages that name the flag.
 *
 * @module
 */
import { DEFAULT_RETRIES } from "../api/client.ts";
import { parseCount, parseFlags, parseNumber } from "../core/cli.ts";
import type { EmulateOptions } from "./emulator.ts";

/** Usage line of the emulator. */
export const EMULATE_USAGE =
  "deno task emulate [--count N] [--duration SECONDS] [--rate POSTS_PER_S]" +
  " [--concurrency N] [--batch N] [--seed S] [--retries N]";

/** Usage line of the stream emulator. */
export const EMULATE_STREAM_USAGE = EMULATE_USAGE.replace("emulate", "emulate:stream");

/** Largest `--batch`: 1,000 pin rows stay well under the 8 MiB request limit. */
export const MAX_BATCH = 1000;
/** Largest `--batch` of the stream emulator: Kinesis's PutRecords takes at most 500 records. */
export const MAX_STREAM_BATCH = 500;
/** Largest `--concurrency`. */
export const MAX_CONCURRENCY = 256;

function atMost(name: string, n: number, max: number): number {
  if (n > max) throw new Error(`Invalid --${name} ${n}: must be at most ${max}`);
  return n;
}

/**
 * Parses the emulator's arguments. No arguments give the original behaviour. `usage` and
 * `maxBatch` default to the batch emulator's.
 *
 * @example
 * ```ts
 * parseEmulateArgs(["--count", "500", "--rate", "0", "--batch", "50"]);
 * // { count: 500, rate: 0, batch: 50, concurrency: 1, ... }
 * ```
 */
export function parseEmulateArgs(
  args: string[],
  opts: { usage?: string; maxBatch?: number } = {},
): EmulateOptions {
  const usage = opts.usage ?? EMULATE_USAGE;
  const { values, positionals } = parseFlags(args, {
    count: { type: "string" },
    duration: { type: "string" },
    rate: { type: "string" },
    concurrency: { type: "string" },
    batch: { type: "string" },
    seed: { type: "string" },
    retries: { type: "string" },
  }, usage);
  if (positionals.length) {
    throw new Error(`Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${usage}`);
  }
  const seed = values.seed === undefined ? undefined : parseCount("seed", values.seed, 0, 0);
  if (seed !== undefined && seed > 0xffffffff) {
    throw new Error(`Invalid --seed ${seed}: must be at most ${0xffffffff}`);
  }
  return {
    count: values.count === undefined ? undefined : parseCount("count", values.count, 0, 1),
    duration: parseNumber("duration", values.duration, { positive: true }),
    rate: parseNumber("rate", values.rate, { positive: false }),
    concurrency: atMost(
      "concurrency",
      parseCount("concurrency", values.concurrency, 1, 1),
      MAX_CONCURRENCY,
    ),
    batch: atMost("batch", parseCount("batch", values.batch, 1, 1), opts.maxBatch ?? MAX_BATCH),
    seed,
    retries: parseCount("retries", values.retries, DEFAULT_RETRIES, 0),
  };
}
