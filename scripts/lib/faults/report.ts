/**
 * One result line per fault case: printed for the person running the tests and written as JSON
 * under `<state>/faults/` so `deno task faults:report` can print the table of docs/reliability.md.
 *
 * @module
 */
import { join } from "node:path";
import type { Config } from "../core/config.ts";

/** What one fault case did and what it counted, by `unique_id` (or source key). */
export interface FaultResult {
  /** Short name of the case, e.g. "broker killed mid-emulation". */
  case: string;
  /** What was injected, e.g. "SIGKILL Kafka at 2 s, restart after 5 s". */
  injected: string;
  /** Posts acknowledged by the API (or bad requests sent, for the corpus). */
  sent: number;
  /** Distinct posts found where the case looks (lake, cleaned tables, Delta). */
  found: number;
  lost: number;
  doubled: number;
  /** Anything else measured: retries, RSS start/end, lag, seconds... */
  measured?: Record<string, number | string>;
}

/** Directory of the fault results of this state dir. */
export function faultsDir(cfg: Config): string {
  return join(cfg.stateDir, "faults");
}

/** Prints the result and writes it to `<state>/faults/<slug>.json`. */
export async function reportFault(cfg: Config, r: FaultResult): Promise<void> {
  const extra = Object.entries(r.measured ?? {}).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(
    `  [fault] ${r.case}: injected ${r.injected}; sent ${r.sent}, found ${r.found}, ` +
      `lost ${r.lost}, doubled ${r.doubled}${extra ? ` (${extra})` : ""}`,
  );
  const dir = faultsDir(cfg);
  await Deno.mkdir(dir, { recursive: true });
  const slug = r.case.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  await Deno.writeTextFile(
    join(dir, `${slug}.json`),
    JSON.stringify({ ...r, at: new Date().toISOString() }, null, 2) + "\n",
  );
}

/** Counts lost and doubled posts: `sent` ids against the multiset of ids found. */
export function tally(sent: Iterable<string | number>, found: Iterable<string | number>): {
  sent: number;
  found: number;
  lost: number;
  doubled: number;
} {
  const want = new Set([...sent].map(String));
  const seen = new Map<string, number>();
  for (const id of found) seen.set(String(id), (seen.get(String(id)) ?? 0) + 1);
  let lost = 0;
  for (const id of want) if (!seen.has(id)) lost++;
  let doubled = 0;
  for (const [id, n] of seen) if (want.has(id) && n > 1) doubled++;
  return {
    sent: want.size,
    found: [...seen.keys()].filter((id) => want.has(id)).length,
    lost,
    doubled,
  };
}

/**
 * Counts lost and doubled copies when ids may legitimately repeat (the emulator draws posts with
 * replacement): each id is expected as often as it was sent; a shortfall is lost, an excess
 * doubled. `found` counts copies that were expected.
 */
export function tallyCopies(sent: Iterable<string | number>, found: Iterable<string | number>): {
  sent: number;
  found: number;
  lost: number;
  doubled: number;
} {
  const want = new Map<string, number>();
  for (const id of sent) want.set(String(id), (want.get(String(id)) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const id of found) seen.set(String(id), (seen.get(String(id)) ?? 0) + 1);
  let total = 0, hit = 0, lost = 0, doubled = 0;
  for (const [id, n] of want) {
    const got = seen.get(id) ?? 0;
    total += n;
    hit += Math.min(n, got);
    lost += Math.max(0, n - got);
    doubled += Math.max(0, got - n);
  }
  return { sent: total, found: hit, lost, doubled };
}

/** Reads every fault result of this state dir, oldest first. */
export async function readFaults(cfg: Config): Promise<(FaultResult & { at: string })[]> {
  const out: (FaultResult & { at: string })[] = [];
  try {
    for await (const e of Deno.readDir(faultsDir(cfg))) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      out.push(JSON.parse(await Deno.readTextFile(join(faultsDir(cfg), e.name))));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * The table of fault results in docs/reliability.md, in Markdown.
 *
 * @example
 * ```ts
 * faultTable([{ case: "x", injected: "y", sent: 1, found: 1, lost: 0, doubled: 0 }]);
 * ```
 */
export function faultTable(results: FaultResult[]): string {
  const esc = (v: unknown) => String(v).replaceAll("|", "\\|");
  const rows = results.map((r) =>
    `| ${esc(r.case)} | ${esc(r.injected)} | ${r.sent} | ${r.found} | ${r.lost} | ${r.doubled} | ${
      esc(Object.entries(r.measured ?? {}).map(([k, v]) => `${k} ${v}`).join(", "))
    } |`
  );
  return [
    "| case | injected | posts sent | posts found | lost | doubled | measured |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
