import assert from "node:assert/strict";
import NAMES from "../../../dags/names.json" with { type: "json" };
import { AWS_STACK_PARTS, checkUserId, KINDS, names } from "./names.ts";

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

Deno.test("the AWS names follow the same user id, one stack per part of the names file", () => {
  const n = names("0a1b2c3d4e5f");
  assert.deepEqual(NAMES.aws.stack_parts, [...AWS_STACK_PARTS]);
  assert.deepEqual(n.aws.stacks, {
    base: "pinterest-0a1b2c3d4e5f-base",
    services: "pinterest-0a1b2c3d4e5f-services",
  });
  assert.equal(n.connector, "0a1b2c3d4e5f-s3-sink");
  assert.equal(n.aws.mwaaBucket, "user-0a1b2c3d4e5f-mwaa");
  assert.equal(n.aws.databricksRole, "pinterest-0a1b2c3d4e5f-databricks");
});

Deno.test("a user id that would make an invalid bucket is refused", () => {
  assert.match(checkUserId("Has_Upper")!, /lower-case letters, digits or dashes/);
  assert.equal(checkUserId("a-1"), undefined);
});
