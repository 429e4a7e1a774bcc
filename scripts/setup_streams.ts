/**
 * `deno task setup-streams`: creates the pin, geo and user Kinesis streams (docs/spec.md §1) with
 * the configured shard count, idempotently, waits until they are ACTIVE and prints them.
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { setupStreams } from "./lib/kinesis/streams.ts";
import { table } from "./lib/view/table.ts";

const USAGE = "deno task setup-streams";

if (import.meta.main) {
  await main(async () => {
    const { positionals } = parseFlags(Deno.args, {}, USAGE);
    if (positionals.length) {
      throw new Error(`Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${USAGE}`);
    }
    const cfg = await loadConfig();
    console.log(
      `Streams on ${cfg.kinesis.endpoint ?? `Kinesis ${cfg.region}`} (profile ${cfg.profile}):`,
    );
    const states = await setupStreams(cfg);
    console.log(table(states.map((s) => ({
      stream: s.stream,
      shards: s.shards,
      state: s.streamStatus,
      "retention h": s.retentionHours,
      status: s.status,
    }))));
    for (const s of states) {
      if (s.shards !== cfg.kinesis.shards) {
        console.warn(
          `! ${s.stream} has ${s.shards} open shard(s), not the configured ` +
            `${cfg.kinesis.shards}; it was created earlier and is left as it is`,
        );
      }
    }
    const created = states.filter((s) => s.status === "created").length;
    console.log(
      `✔ ${states.length} streams ACTIVE (${created} created, ${states.length - created} existed)`,
    );
  });
}
