/**
 * `deno task setup-topics`: creates the pin, geo and user topics (docs/spec.md §1) on the
 * configured brokers, idempotently, and prints them as a table.
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { table } from "./lib/view/table.ts";
import { setupTopics } from "./lib/kafka/topics.ts";

const USAGE = "deno task setup-topics";

if (import.meta.main) {
  await main(async () => {
    const { positionals } = parseFlags(Deno.args, {}, USAGE);
    if (positionals.length) {
      throw new Error(`Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${USAGE}`);
    }
    const cfg = await loadConfig();
    console.log(`Topics on ${cfg.kafka.brokers.join(",")} (profile ${cfg.profile}):`);
    const states = await setupTopics(cfg);
    console.log(table(states.map((s) => ({
      topic: s.topic,
      partitions: s.partitions,
      replication: s.replicationFactor,
      status: s.status,
    }))));
    for (const s of states) {
      if (s.partitions < cfg.kafka.partitions) {
        console.warn(
          `! ${s.topic} has ${s.partitions} partition(s), fewer than the configured ` +
            `${cfg.kafka.partitions}; it was created earlier and is left as it is`,
        );
      }
    }
    const created = states.filter((s) => s.status === "created").length;
    console.log(
      `✔ ${states.length} topics ready (${created} created, ${states.length - created} existed)`,
    );
  });
}
