/**
 * Every notebook runs headless on the Deno kernel (outputs go to the state directory, so the
 * committed notebooks are not touched) and shows a reader what its committed version shows: no
 * error output, tables with rows, and at least as many tables and drawn PNG charts.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../scripts/lib/core/config.ts";
import { executeNotebook, listNotebooks } from "../scripts/lib/notebook/execute.ts";
import { missingOutputs, type NotebookJson, readOutputs } from "../scripts/lib/notebook/outputs.ts";
import { trackStack } from "./harness.ts";

const cfg = await loadConfig();
const read = async (path: string) =>
  readOutputs(JSON.parse(await Deno.readTextFile(path)) as NotebookJson);

for (const nb of await listNotebooks(`${cfg.root}/notebooks`)) {
  const name = nb.split("/").pop()!;
  Deno.test({
    name: `notebook ${name} runs and shows what it promises`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      // Notebooks bring up what they need themselves; the harness only remembers what to stop.
      const stack = await trackStack();
      try {
        const committed = await read(nb);
        const run = await executeNotebook(nb, { outDir: `${cfg.stateDir}/notebooks` });
        const problems = missingOutputs(committed, await read(run.output));
        assert.deepEqual(problems, [], `${name}:\n${problems.join("\n")}`);
      } finally {
        await stack.release();
      }
    },
  });
}
