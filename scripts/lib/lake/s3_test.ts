import assert from "node:assert/strict";
import { parse } from "yaml";
import { resolveConfig } from "../core/config.ts";
import { REPO_ROOT } from "../core/paths.ts";
import { explainS3Error, s3Client } from "./s3.ts";

const file = `${REPO_ROOT}/pipeline.yaml`;
const doc = parse(await Deno.readTextFile(file));
const local = resolveConfig(doc, file, "local", { HOME: "/h" });
const aws = resolveConfig(doc, file, "aws", { HOME: "/h" });

Deno.test("a refused connection says where and, locally, what to start", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9000"), {
    code: "ECONNREFUSED",
  });
  const e = explainS3Error(local, "list the lake", refused);
  assert.equal(
    e.message,
    "Cannot list the lake at http://127.0.0.1:9000: connection refused; start MinIO with " +
      "`deno task stack:up`",
  );
  assert.doesNotMatch(explainS3Error(aws, "list the lake", refused).message, /stack:up/);
});

Deno.test("any other failure keeps the SDK's message", () => {
  const e = explainS3Error(
    local,
    "read x",
    Object.assign(new Error("Access Denied"), { name: "AccessDenied" }),
  );
  assert.equal(e.message, "Cannot read x at http://127.0.0.1:9000: Access Denied");
});

Deno.test("the local client talks path-style to MinIO; the AWS one to the region", async () => {
  const s3 = s3Client(local);
  assert.equal(await s3.config.forcePathStyle, true);
  const endpoint = await s3.config.endpoint?.();
  assert.equal(
    `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`,
    "http://127.0.0.1:9000",
  );
  assert.equal(await s3Client(aws).config.region(), "us-east-1");
});
