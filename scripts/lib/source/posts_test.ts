import assert from "node:assert/strict";
import { isoDatetime } from "../core/time.ts";

Deno.test("MySQL datetime text becomes ISO-8601 without zone; anything else is left alone", () => {
  assert.equal(isoDatetime("2020-08-28 03:52:47"), "2020-08-28T03:52:47");
  assert.equal(isoDatetime("2020-08-28 03:52:47.125"), "2020-08-28T03:52:47.125");
  assert.equal(isoDatetime("2020-08-28T03:52:47"), "2020-08-28T03:52:47");
  assert.equal(isoDatetime("2020-08-28"), "2020-08-28");
  assert.equal(isoDatetime("posted 2020-08-28 03:52:47"), "posted 2020-08-28 03:52:47");
});
