/**
 * `deno task notebooks [--check] [name...]`: executes every notebook under notebooks/ headless
 * on the Deno kernel and fails on the first cell error. Without --check the outputs are written
 * back into the notebooks (so they read on GitHub); with --check they go to the state directory.
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { executeNotebook, listNotebooks } from "./lib/notebook/execute.ts";
import { installFor } from "./lib/stack/needs.ts";
import { stackContext } from "./lib/stack/context.ts";

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseFlags(
      Deno.args,
      { check: { type: "boolean" } },
      "deno task notebooks [--check] [name...]",
    );
    const cfg = await loadConfig();
    await installFor(await stackContext(cfg), "notebooks");
    const notebooks = await listNotebooks(`${cfg.root}/notebooks`, positionals);
    const outDir = values.check ? `${cfg.stateDir}/notebooks` : undefined;
    for (const nb of notebooks) {
      const r = await executeNotebook(nb, { outDir });
      console.log(
        `✔ ${nb.split("/").pop()} executed in ${r.seconds.toFixed(1)} s${
          outDir ? ` -> ${r.output}` : ""
        }`,
      );
    }
  });
}
