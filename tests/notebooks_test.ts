/**
 * Every notebook runs headless on the Deno kernel without a cell error (outputs go to the state
 * directory, so the committed notebooks are not touched).
 */
import { loadConfig } from "../scripts/lib/core/config.ts";
import { executeNotebook, listNotebooks } from "../scripts/lib/notebook/execute.ts";
import { trackStack } from "./harness.ts";

const cfg = await loadConfig();
for (const nb of await listNotebooks(`${cfg.root}/notebooks`)) {
  Deno.test({
    name: `notebook ${nb.split("/").pop()} executes without errors`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      // Notebooks bring up what they need themselves; the harness only remembers what to stop.
      const stack = await trackStack();
      try {
        await executeNotebook(nb, { outDir: `${cfg.stateDir}/notebooks` });
      } finally {
        await stack.release();
      }
    },
  });
}
