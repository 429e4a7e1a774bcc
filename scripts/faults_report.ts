/**
 * `deno task faults:report`: prints the results of the last `deno task test:faults` run as the
 * Markdown table docs/reliability.md carries.
 *
 * @module
 */
import { loadConfig } from "./lib/core/config.ts";
import { faultsDir, faultTable, readFaults } from "./lib/faults/report.ts";
import { main } from "./lib/core/cli.ts";

if (import.meta.main) {
  await main(async () => {
    const cfg = await loadConfig();
    const results = await readFaults(cfg);
    if (results.length === 0) {
      throw new Error(
        `No fault results under ${faultsDir(cfg)}: run \`deno task test:faults\` first`,
      );
    }
    console.log(faultTable(results));
  });
}
