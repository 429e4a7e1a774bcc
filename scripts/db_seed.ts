/**
 * `deno task db:seed [--rows N] [--seed S]`: (re)creates the source database with the
 * synthetic dataset of docs/spec.md §2.
 *
 * @module
 */
import { main, parseCount, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { seedSource } from "./lib/source/seed.ts";
import { DEFAULT_ROWS } from "./lib/source/synthetic.ts";
import { table } from "./lib/view/table.ts";
import { progressLine } from "./lib/view/progress.ts";

const USAGE = "deno task db:seed [--rows N] [--seed S]";

if (import.meta.main) {
  await main(async () => {
    const { values } = parseFlags(Deno.args, {
      rows: { type: "string" },
      seed: { type: "string" },
    }, USAGE);
    const rows = parseCount("rows", values.rows, DEFAULT_ROWS, 1);
    const seed = parseCount("seed", values.seed, 1, 0);
    const cfg = await loadConfig();
    console.log(
      `Seeding ${cfg.mysql.database} at ${cfg.mysql.host}:${cfg.mysql.port}: ${rows} rows per table, seed ${seed}`,
    );
    const progress = progressLine("rows");
    const report = await seedSource(cfg, { rows, seed, onProgress: progress.update });
    progress.done();
    console.log(table(Object.entries(report.counts).map(([t, n]) => ({ table: t, rows: n }))));
    console.log(`✔ Seeded in ${report.seconds.toFixed(1)} s`);
  });
}
