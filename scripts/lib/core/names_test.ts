import assert from "node:assert/strict";
import NAMES from "../../../dags/names.json" with { type: "json" };
import { checkUserId, KINDS, names } from "./names.ts";

Deno.test("the kinds of the names file are the kinds the code is typed with", () => {
  assert.deepEqual(NAMES.kinds, [...KINDS]);
});

Deno.test("every name of a user id, from the templates", () => {
  const n = names("0a1b2c3d4e5f");
  assert.deepEqual(n.topics, {
    pin: "0a1b2c3d4e5f.pin",
    geo: "0a1b2c3d4e5f.geo",
    user: "0a1b2c3d4e5f.user",
  });
  assert.equal(n.bucket, "user-0a1b2c3d4e5f-bucket");
  assert.equal(n.streams.geo, "streaming-0a1b2c3d4e5f-geo");
  assert.equal(n.dagId, "0a1b2c3d4e5f_dag");
  assert.equal(n.streamTables.user, "0a1b2c3d4e5f_user_table");
  assert.ok(new RegExp(`^${n.topicsRegex}$`).test("0a1b2c3d4e5f.pin"));
  assert.ok(!new RegExp(`^${n.topicsRegex}$`).test("0a1b2c3d4e5fxpin"), "the dot is literal");
});

Deno.test("a user id that would make an invalid bucket is refused", () => {
  assert.match(checkUserId("Has_Upper")!, /lower-case letters, digits or dashes/);
  assert.equal(checkUserId("a-1"), undefined);
});
