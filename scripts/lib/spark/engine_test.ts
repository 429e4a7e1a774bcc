import assert from "node:assert/strict";
import { engineFor, parseEngine } from "./engine.ts";

Deno.test("the engine is auto unless one is asked for", () => {
  assert.equal(parseEngine(undefined), "auto");
  assert.equal(parseEngine(""), "auto");
  assert.equal(parseEngine("local"), "local");
  assert.equal(parseEngine("connect"), "connect");
});

Deno.test("auto takes the server only while it is healthy; the others are what they say", () => {
  assert.equal(engineFor("auto", true), "connect");
  assert.equal(engineFor("auto", false), "local");
  assert.equal(engineFor("local", true), "local");
  assert.equal(engineFor("connect", false), "connect");
});

Deno.test("an unknown engine names the setting and the choices", () => {
  assert.throws(
    () => parseEngine("jvm", "--engine"),
    /^Error: Invalid --engine "jvm": use auto, local or connect$/,
  );
});
