import assert from "node:assert/strict";
import { resolveConfig } from "../core/config.ts";
import { REPO_ROOT } from "../core/paths.ts";
import { KINDS } from "../core/names.ts";
import { streamJobConfig } from "../stream/config.ts";
import { streamPaths } from "../stream/paths.ts";
import { batchJobConfig } from "./job.ts";
import { JOB_KEYS, missingJobKeys } from "./job_keys.ts";
import { parse } from "yaml";

const file = `${REPO_ROOT}/pipeline.yaml`;
const cfg = resolveConfig(parse(await Deno.readTextFile(file)), file, "local", { HOME: "/h" });

Deno.test("the batch job's JSON holds what the driver requires, in every mode", () => {
  for (const mode of Object.keys(JOB_KEYS.batch)) {
    const job = batchJobConfig({
      mode: mode as "batch",
      lake: "file:///lake/topics",
      topics: cfg.names.topics,
      out: "file:///out",
    }, ["a.jar"]);
    assert.deepEqual(missingJobKeys(job), [], mode);
  }
});

Deno.test("a batch job without what its mode needs fails before Spark starts", () => {
  assert.throws(
    () => batchJobConfig({ mode: "load", lake: "x", topics: cfg.names.topics }, []),
    /Cannot run the Spark load job: it needs out/,
  );
});

Deno.test("the stream job's JSON holds what the stream driver requires", () => {
  const shards = Object.fromEntries(KINDS.map((k) => [k, []]));
  const job = streamJobConfig(cfg, {
    jars: ["a.jar"],
    paths: streamPaths(cfg, "/tmp/stream"),
    shards: shards as never,
    opts: {},
  });
  assert.deepEqual(missingJobKeys(job), []);
});
