import assert from "node:assert/strict";
import { DEFAULT_SOAK_MINUTES, soakMinutes } from "./soak_options.ts";

Deno.test("soak minutes come from --soak-minutes, then PIPELINE_SOAK_MINUTES, then 2", () => {
  const none = new Map<string, string>();
  const env = new Map([["PIPELINE_SOAK_MINUTES", "5"]]);
  assert.equal(soakMinutes([], none), DEFAULT_SOAK_MINUTES);
  assert.equal(soakMinutes([], env), 5);
  assert.equal(soakMinutes(["--soak-minutes", "10"], env), 10);
  assert.equal(soakMinutes(["--", "--soak-minutes=0.5"], none), 0.5);
  assert.equal(soakMinutes(["--other", "x"], none), DEFAULT_SOAK_MINUTES);
  for (const bad of ["0", "-1", "ten", " "]) {
    assert.throws(
      () => soakMinutes(["--soak-minutes", bad], none),
      /Invalid --soak-minutes .*expected minutes above 0/,
    );
  }
  assert.throws(() => soakMinutes(["--soak-minutes"], none), /Invalid|expected/);
  assert.throws(
    () => soakMinutes([], new Map([["PIPELINE_SOAK_MINUTES", "x"]])),
    /Invalid PIPELINE_SOAK_MINUTES "x"/,
  );
});
