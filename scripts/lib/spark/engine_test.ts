import assert from "node:assert/strict";
import { parseEngine } from "./engine.ts";

Deno.test("the engine is connect unless local is asked for", () => {
  assert.equal(parseEngine(undefined), "connect");
  assert.equal(parseEngine(""), "connect");
  assert.equal(parseEngine("local"), "local");
  assert.equal(parseEngine("connect"), "connect");
});

Deno.test("an unknown engine names the setting and the choices", () => {
  assert.throws(
    () => parseEngine("jvm", "--engine"),
    /^Error: Invalid --engine "jvm": use connect or local$/,
  );
});
