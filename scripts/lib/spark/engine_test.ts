import assert from "node:assert/strict";
import { parseEngine } from "./engine.ts";

Deno.test("the engine is local unless connect is asked for", () => {
  assert.equal(parseEngine(undefined), "local");
  assert.equal(parseEngine(""), "local");
  assert.equal(parseEngine("local"), "local");
  assert.equal(parseEngine("connect"), "connect");
});

Deno.test("an unknown engine names the setting and the choices", () => {
  assert.throws(
    () => parseEngine("jvm", "--engine"),
    /^Error: Invalid --engine "jvm": use local or connect$/,
  );
});
