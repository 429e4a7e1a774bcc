import assert from "node:assert/strict";
import { describeSourceEvent } from "./emulator.ts";

Deno.test("a source outage and its end are told in one line each", () => {
  assert.equal(
    describeSourceEvent({ state: "down", reason: "connect ECONNREFUSED", limitSeconds: 60 }),
    "Source database unreachable (connect ECONNREFUSED); waiting and retrying for up to 60 s " +
      "before the next post",
  );
  assert.equal(
    describeSourceEvent({ state: "back", seconds: 4.25 }),
    "Source database back after 4.3 s; resuming",
  );
});
