/**
 * Where a stream job keeps its Delta tables, checkpoints and dead letters, and how to read its
 * dead letters back.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { type Kind, KINDS } from "../core/names.ts";

/** Where one stream job keeps its tables, checkpoints and dead letters. */
export interface StreamPaths {
  base: string;
  tables: Record<Kind, { name: string; path: string; checkpoint: string }>;
  /** Dead-letter directory per kind: `<base>/dead_letter/<stream>`. */
  deadLetter: Record<Kind, string>;
}

/**
 * The layout under `base` (default `<stateDir>/stream`): `delta/<table>`,
 * `checkpoints/<table>` (one per table) and `dead_letter/<stream>`.
 *
 * @example
 * ```ts ignore
 * streamPaths(cfg).tables.pin.path; // "/repo/.state/stream/delta/0a1b2c3d4e5f_pin_table"
 * ```
 */
export function streamPaths(cfg: Config, base = `${cfg.stateDir}/stream`): StreamPaths {
  const per = <T>(f: (k: Kind) => T) =>
    Object.fromEntries(KINDS.map((k) => [k, f(k)])) as Record<Kind, T>;
  return {
    base,
    tables: per((k) => ({
      name: cfg.names.streamTables[k],
      path: `${base}/delta/${cfg.names.streamTables[k]}`,
      checkpoint: `${base}/checkpoints/${cfg.names.streamTables[k]}`,
    })),
    deadLetter: per((k) => `${base}/dead_letter/${cfg.names.streams[k]}`),
  };
}

/** One dead-lettered record, as the job writes it. */
export interface DeadLetter {
  stream: string;
  shard: string | null;
  sequence_number: string;
  partition_key: string;
  approximate_arrival: string | null;
  reason: string;
  data_base64: string;
  table: string;
  batch_id: number;
  dead_lettered_at: string;
}

/**
 * Reads every dead letter of a kind (all `batch-*.jsonl` files of its stream's directory).
 *
 * @example
 * ```ts ignore
 * const letters = await readDeadLetters(streamPaths(cfg), "pin");
 * atob(letters[0].data_base64); // the record's raw bytes
 * ```
 */
export async function readDeadLetters(paths: StreamPaths, kind: Kind): Promise<DeadLetter[]> {
  const dir = paths.deadLetter[kind];
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.startsWith("batch-") && e.name.endsWith(".jsonl")) files.push(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: DeadLetter[] = [];
  for (const f of files.sort()) {
    for (const line of (await Deno.readTextFile(`${dir}/${f}`)).split("\n")) {
      if (line.trim()) out.push(JSON.parse(line));
    }
  }
  return out;
}
