import assert from "node:assert/strict";
import { parse } from "yaml";
import { resolveConfig } from "../core/config.ts";
import { REPO_ROOT } from "../core/paths.ts";
import {
  connectorName,
  mskSinkConfig,
  propertiesText,
  S3_SINK_CLASS,
  sinkConfig,
} from "./connector.ts";
import { FILE_NAME_TEMPLATE, OFFSET_PAD_WIDTH } from "./object_key.ts";

const file = `${REPO_ROOT}/pipeline.yaml`;
const doc = parse(await Deno.readTextFile(file));
const local = resolveConfig(doc, file, "local", { HOME: "/h", PIPELINE_S3_ACCESS_KEY: "ak" });
const aws = resolveConfig(doc, file, "aws", { HOME: "/h" });
const JAVA =
  `${REPO_ROOT}/stack/connect-s3-sink/src/main/java/local/pipeline/connect/s3/S3SinkConfig.java`;

Deno.test("the local sink config uses only keys our plugin defines, and the Confluent layout", async () => {
  const java = await Deno.readTextFile(JAVA);
  const defined = [...java.matchAll(/static final String \w+ = "([^"]+)"/g)].map((m) => m[1]);
  const conf = sinkConfig({ ...local, s3: { ...local.s3, secretAccessKey: "sk" } });
  const generic = ["connector.class", "tasks.max", "topics.regex", "key.converter"];
  const plugin = Object.keys(conf).filter((k) => !generic.includes(k) && !k.startsWith("value."));
  assert.deepEqual(plugin.filter((k) => !defined.includes(k)), []);
  assert.equal(conf["connector.class"], S3_SINK_CLASS);
  assert.equal(conf["topics.regex"], "0a1b2c3d4e5f\\..*");
  assert.equal(conf["aws.s3.bucket.name"], "user-0a1b2c3d4e5f-bucket");
  assert.equal(conf["aws.s3.endpoint"], local.s3.endpoint);
  assert.equal(conf["aws.access.key.id"], "ak");
  assert.equal(conf["file.name.template"], FILE_NAME_TEMPLATE);
  assert.equal(conf["filename.offset.zero.pad.width"], String(OFFSET_PAD_WIDTH));
  assert.equal(conf["flush.size"], undefined, "an object per offset flush unless configured");
  assert.ok(new RegExp(conf["topics.regex"]).test(local.names.topics.pin));
  assert.ok(!new RegExp(`^${conf["topics.regex"]}$`).test("0a1b2c3d4e5fXpin"));
  assert.equal(connectorName(local), "0a1b2c3d4e5f-s3-sink");
});

Deno.test("a configured flush.size reaches both sinks", () => {
  const one = (c: typeof local) => ({ ...c, s3: { ...c.s3, flushSize: 1 } });
  assert.equal(sinkConfig(one(local))["flush.size"], "1");
  assert.equal(mskSinkConfig({ ...aws, s3: { ...aws.s3, flushSize: 500 } })["flush.size"], "500");
  assert.equal(mskSinkConfig(one(aws))["flush.size"], "1");
});

Deno.test("the Java plugin's own pad default is the lake's", async () => {
  const java = await Deno.readTextFile(JAVA);
  assert.equal(
    java.match(/static final int DEFAULT_OFFSET_PAD = (\d+);/)?.[1],
    String(OFFSET_PAD_WIDTH),
  );
});

Deno.test("the MSK Connect config is the course's Confluent S3 sink", () => {
  const conf = mskSinkConfig(aws);
  assert.equal(conf["connector.class"], "io.confluent.connect.s3.S3SinkConnector");
  assert.equal(conf["flush.size"], "1");
  assert.equal(conf["filename.offset.zero.pad.width"], String(OFFSET_PAD_WIDTH));
  assert.equal(conf["s3.bucket.name"], aws.names.bucket);
  assert.equal(conf["s3.region"], aws.region);
  assert.equal(conf["format.class"], "io.confluent.connect.s3.format.json.JsonFormat");
  assert.equal(conf["storage.class"], "io.confluent.connect.s3.storage.S3Storage");
  assert.equal(conf["value.converter.schemas.enable"], "false");
  assert.ok(!Object.keys(conf).some((k) => k.startsWith("aws.")), "no local keys or secrets");
  const text = propertiesText(conf);
  assert.match(text, /^topics\.regex=0a1b2c3d4e5f\\\.\.\*$/m);
  assert.equal(text.split("\n").length, Object.keys(conf).length);
});
