/**
 * The soak test's emulator, a process of its own so its memory is measured apart from the test:
 * `deno task emulate`'s engine (`emulate()` with the topic sender, same options), which also
 * counts every record the API acknowledged by its id (pins by `unique_id`, geo and user rows by
 * `ind`) in maps bounded by the source's size, so counting adds no memory over the run.
 *
 * Usage: `deno run ... tests/faults/soak_emulator.ts <deno task emulate options>`, with
 * `SOAK_OUT` naming the JSON file of the summary and counts; prints `progress {json}` every 5 s.
 *
 * @module
 */
import { main } from "../../scripts/lib/core/cli.ts";
import { loadConfig } from "../../scripts/lib/core/config.ts";
import {
  emulate,
  type EmulateProgress,
  type Sender,
  topicSender,
} from "../../scripts/lib/emulator/emulator.ts";
import { parseEmulateArgs } from "../../scripts/lib/emulator/options.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";

/** Where each kind's id is. */
export const ID: Record<Kind, string> = { pin: "unique_id", geo: "ind", user: "ind" };

/** What the soak emulator writes to `SOAK_OUT`. */
export interface SoakEmulatorOutput {
  sent: number;
  acknowledged: number;
  failed: number;
  retries: number;
  requests: number;
  seconds: number;
  postsPerSecond: number;
  errors: string[];
  /** Acknowledged records per kind: [id, times] pairs. */
  acked: Record<Kind, [string, number][]>;
}

if (import.meta.main) {
  await main(async () => {
    const out = Deno.env.get("SOAK_OUT");
    if (!out) throw new Error("Set SOAK_OUT to the file the counts go to");
    const opts = parseEmulateArgs(Deno.args);
    const cfg = await loadConfig();
    const acked = Object.fromEntries(KINDS.map((k) => [k, new Map<string, number>()])) as Record<
      Kind,
      Map<string, number>
    >;
    const topics = topicSender(cfg);
    const sender: Sender = async (kind, rows, o) => {
      const result = await topics(kind, rows, o);
      for (const row of rows) {
        const id = String(row[ID[kind]]);
        acked[kind].set(id, (acked[kind].get(id) ?? 0) + 1);
      }
      return result;
    };
    const stop = new AbortController();
    Deno.addSignalListener("SIGTERM", () => stop.abort());
    let last: EmulateProgress = { sent: 0, acknowledged: 0, failed: 0, retries: 0 };
    const ticker = setInterval(() => console.log(`progress ${JSON.stringify(last)}`), 5000);
    try {
      const s = await emulate(cfg, {
        ...opts,
        sender,
        keepKeys: false,
        signal: stop.signal,
        onProgress: (p) => last = { ...p },
        onError: (m) => console.error(`! ${m}`),
      });
      const result: SoakEmulatorOutput = {
        sent: s.sent,
        acknowledged: s.acknowledged,
        failed: s.failed,
        retries: s.retries,
        requests: s.requests,
        seconds: s.seconds,
        postsPerSecond: s.postsPerSecond,
        errors: s.errors,
        acked: Object.fromEntries(KINDS.map((k) => [k, [...acked[k]]])) as Record<
          Kind,
          [string, number][]
        >,
      };
      await Deno.writeTextFile(out, JSON.stringify(result));
      console.log(`done ${s.acknowledged} posts in ${s.seconds.toFixed(1)} s`);
    } finally {
      clearInterval(ticker);
    }
  });
}
