import assert from "node:assert/strict";
import { countLines } from "./offsets.ts";

Deno.test("records of an object are its non-blank lines", () => {
  assert.equal(countLines('{"a":1}\n\n{"a":2}\n'), 2);
  assert.equal(countLines(""), 0);
});
