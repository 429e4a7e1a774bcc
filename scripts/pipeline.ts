/**
 * `deno task pipeline`: the main job. Brings the local stack up (installing what is missing),
 * seeds the source database, and runs each stage of the pipeline that has landed, printing
 * what each did.
 *
 * @module
 */
import { main, parseFlags } from "./lib/cli.ts";
import { parseCount, seedSource } from "./lib/seed.ts";
import { DEFAULT_ROWS } from "./lib/synthetic.ts";
import { stackContext, statusTable, up } from "./lib/stack/stack.ts";
import { table } from "./lib/table.ts";
import { progressLine } from "./lib/progress.ts";

const USAGE = "deno task pipeline [--rows N] [--seed S]";

if (import.meta.main) {
  await main(async () => {
    const { values } = parseFlags(
      Deno.args,
      { rows: { type: "string" }, seed: { type: "string" } },
      USAGE,
    );
    const rows = parseCount("rows", values.rows, DEFAULT_ROWS, 1);
    const seed = parseCount("seed", values.seed, 1, 0);
    const started = performance.now();
    const timings: { stage: string; seconds: string; result: string }[] = [];
    const stage = async (name: string, fn: () => Promise<string>) => {
      console.log(`\n▶ ${name}`);
      const t = performance.now();
      const result = await fn();
      timings.push({ stage: name, seconds: ((performance.now() - t) / 1000).toFixed(1), result });
    };

    const ctx = await stackContext();
    await stage("local stack up", async () => {
      const states = await up(ctx);
      console.log(statusTable(states));
      return `${
        states.filter((s) => s.state === "healthy").length
      }/${states.length} services healthy`;
    });
    await stage("seed source database", async () => {
      const progress = progressLine("rows");
      const r = await seedSource(ctx.cfg, { rows, seed, onProgress: progress.update });
      progress.done();
      return Object.entries(r.counts).map(([t, n]) => `${t} ${n}`).join(", ");
    });

    console.log(`\nPipeline finished in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    console.log(table(timings));
  });
}
