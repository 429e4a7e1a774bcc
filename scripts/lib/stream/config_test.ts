import assert from "node:assert/strict";
import { parse } from "yaml";
import { resolveConfig } from "../core/config.ts";
import { REPO_ROOT } from "../core/paths.ts";
import { streamDriverEnv } from "./config.ts";

const file = `${REPO_ROOT}/pipeline.yaml`;
const doc = parse(await Deno.readTextFile(file));
const host = { AWS_PROFILE: "dev", AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s" };

Deno.test("against the local Kinesis the driver speaks JSON and takes no AWS credentials", () => {
  const env = streamDriverEnv(
    resolveConfig(doc, file, "local", { HOME: "/h" }),
    "/jvm",
    "/py",
    host,
  );
  assert.equal(env.AWS_CBOR_DISABLE, "true");
  assert.equal(env.AWS_REGION, "us-east-1");
  for (const k of Object.keys(host)) assert.equal(env[k], undefined, k);
  assert.equal(env.JAVA_HOME, "/jvm");
});

Deno.test("against AWS the driver gets the caller's credentials and CBOR stays on", () => {
  const env = streamDriverEnv(resolveConfig(doc, file, "aws", { HOME: "/h" }), "/jvm", "/py", host);
  assert.equal(env.AWS_CBOR_DISABLE, undefined);
  assert.deepEqual([env.AWS_PROFILE, env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY], [
    "dev",
    "AKIA",
    "s",
  ]);
});
