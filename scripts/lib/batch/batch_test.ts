import assert from "node:assert/strict";
import { BATCH_STEPS, parseStep, stepLabel } from "./batch.ts";

Deno.test("parseStep reads every step of the DAG and gives back its label", () => {
  assert.deepEqual(parseStep("load"), { mode: "load" });
  assert.deepEqual(parseStep("clean:geo"), { mode: "clean", kinds: ["geo"] });
  assert.deepEqual(parseStep("clean"), { mode: "clean" });
  assert.deepEqual(parseStep("analytics"), { mode: "analytics" });
  for (const name of BATCH_STEPS) assert.equal(stepLabel(parseStep(name)), name);
});

Deno.test("parseStep refuses unknown steps and kinds, naming the choices", () => {
  for (const bad of ["", "clean:board", "analytics:pin", "clean:pin:geo", "scan", "batch"]) {
    assert.throws(() => parseStep(bad), /Invalid --step .*: use one of load, clean:pin/, bad);
  }
});
