import assert from "node:assert/strict";
import { configRows } from "./connector_view.ts";

Deno.test("config rows keep order and hide the values of secret keys", () => {
  const rows = configRows({
    "connector.class": "x.S3Sink",
    "aws.access.key.id": "AKIA",
    "aws.secret.access.key": "s3cr3t",
    "topics.regex": "a\\..*",
  });
  assert.deepEqual(rows.map((r) => r.key), [
    "connector.class",
    "aws.access.key.id",
    "aws.secret.access.key",
    "topics.regex",
  ]);
  assert.deepEqual(rows.map((r) => r.value), ["x.S3Sink", "(hidden)", "(hidden)", "a\\..*"]);
});
