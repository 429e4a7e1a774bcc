import assert from "node:assert/strict";
import { relativePaths } from "./display.ts";

Deno.test("paths of the machine become relative to the repository or the home directory", () => {
  const root = "/work/main", home = "/root";
  assert.equal(
    relativePaths("into file:///work/main/.state/batch/0a1b", root, home),
    "into .state/batch/0a1b",
  );
  assert.equal(
    relativePaths("<td>/work/main/.state/stream/x</td>", root, home),
    "<td>.state/stream/x</td>",
  );
  assert.equal(
    relativePaths("cache /root/.cache/pinterest-pipeline", root, home),
    "cache ~/.cache/pinterest-pipeline",
  );
  // Another directory that merely starts the same is left alone, and so is a URL.
  assert.equal(
    relativePaths("/work/main2/x s3a://bucket/topics", root, home),
    "/work/main2/x s3a://bucket/topics",
  );
});
