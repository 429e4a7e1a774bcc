import assert from "node:assert/strict";
import { parse } from "yaml";
import { awsOutputsFile, ConfigError, loadConfig, resolveConfig } from "./config.ts";
import { parseDotEnv } from "./dotenv.ts";

const FILE = "/repo/pipeline.yaml";
const base = () =>
  parse(`
user_id: 0a1b2c3d4e5f
state_dir: .state
stack:
  host: 127.0.0.1
  ports: { mariadb: 3306, kafka: 9092, kafka_controller: 9093, rest_proxy: 8082, connect: 8083,
           minio: 9000, minio_console: 9001, kinesis: 4568, api: 8000, spark_connect: 15002 }
profiles:
  local: { mysql: { user: pinterest } }
  aws:
    mysql: { host: db.example, port: 3306, user: admin }
    kafka: { brokers: [b-1:9098], auth: iam, partitions: 3, replication_factor: 2 }
    api_url: https://api.example/prod
    connect_url: https://connect.example
    rest_proxy_url: https://proxy.example
`);

Deno.test("the repository's pipeline.yaml loads for both profiles", async () => {
  const local = await loadConfig({ env: {} });
  assert.equal(local.profile, "local");
  assert.equal(local.names.bucket, `user-${local.userId}-bucket`);
  const aws = await loadConfig({ env: {}, profile: "aws" });
  assert.equal(aws.kafka.auth, "iam");
  assert.equal(aws.s3.endpoint, undefined);
});

Deno.test("local endpoints are derived from stack ports and follow port overrides", () => {
  const c = resolveConfig(base(), FILE, "local", { PIPELINE_PORT_MINIO: "9100", HOME: "/h" });
  assert.equal(c.s3.endpoint, "http://127.0.0.1:9100");
  assert.deepEqual(c.kafka.brokers, ["127.0.0.1:9092"]);
  assert.equal(c.connectUrl, "http://127.0.0.1:8083");
  assert.equal(c.mysql.port, 3306);
  assert.equal(c.stateDir, "/repo/.state");
  assert.equal(c.cacheDir, "/h/.cache/pinterest-pipeline");
});

Deno.test("names derive from user_id and PIPELINE_USER_ID overrides it", () => {
  const c = resolveConfig(base(), FILE, "local", { PIPELINE_USER_ID: "abc123" });
  assert.deepEqual(c.names.topics, { pin: "abc123.pin", geo: "abc123.geo", user: "abc123.user" });
  assert.equal(c.names.bucket, "user-abc123-bucket");
  assert.equal(c.names.streams.geo, "streaming-abc123-geo");
  assert.equal(c.names.dagId, "abc123_dag");
  assert.equal(c.names.streamTables.user, "abc123_user_table");
});

Deno.test("environment overrides endpoints and secrets", () => {
  const c = resolveConfig(base(), FILE, "aws", {
    PIPELINE_KAFKA_BROKERS: "a:1, b:2",
    PIPELINE_MYSQL_PASSWORD: "s3cret",
    PIPELINE_API_URL: "https://other/prod",
  });
  assert.deepEqual(c.kafka.brokers, ["a:1", "b:2"]);
  assert.equal(c.mysql.password, "s3cret");
  assert.equal(c.apiUrl, "https://other/prod");
});

Deno.test("the aws profile's Kafka auth and the listen host follow the environment", () => {
  const c = resolveConfig(base(), FILE, "aws", {
    PIPELINE_KAFKA_AUTH: "none",
    PIPELINE_STACK_HOST: "0.0.0.0",
  });
  assert.equal(c.kafka.auth, "none");
  assert.equal(c.stack.host, "0.0.0.0");
  rejects(base(), { PIPELINE_KAFKA_AUTH: "sasl" }, "PIPELINE_KAFKA_AUTH", "aws");
});

Deno.test("the aws profile reads the deploy's outputs file; the environment wins over it", async () => {
  const dir = await Deno.makeTempDir();
  const outputs = `${dir}/aws-outputs.env`;
  await Deno.writeTextFile(
    outputs,
    "# written by aws:deploy\nPIPELINE_API_URL=https://abc.execute-api.us-east-1.amazonaws.com/test\n" +
      "PIPELINE_MYSQL_HOST=db.deployed\n",
  );
  const env = { PIPELINE_AWS_OUTPUTS: outputs, PIPELINE_MYSQL_HOST: "db.mine" };
  const aws = await loadConfig({ env, profile: "aws" });
  assert.equal(aws.apiUrl, "https://abc.execute-api.us-east-1.amazonaws.com/test");
  assert.equal(aws.mysql.host, "db.mine");
  const local = await loadConfig({ env, profile: "local" });
  assert.notEqual(local.apiUrl, aws.apiUrl, "the local profile ignores it");
  assert.equal(awsOutputsFile({}).endsWith("/aws-outputs.env"), true);
});

function rejects(doc: unknown, env: Record<string, string>, key: string, profile = "local") {
  assert.throws(() => resolveConfig(doc, FILE, profile, env), (e: Error) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.ok(
      e.message.startsWith(`Invalid config /repo/pipeline.yaml: ${key} `),
      `${e.message} should name ${key}`,
    );
    return true;
  });
}

Deno.test("the S3 sink's flush.size is unset unless configured, and the environment wins", () => {
  assert.equal(resolveConfig(base(), FILE, "local", {}).s3.flushSize, undefined);
  const d = base();
  d.profiles.local.s3 = { flush_size: 500 };
  assert.equal(resolveConfig(d, FILE, "local", {}).s3.flushSize, 500);
  assert.equal(resolveConfig(d, FILE, "local", { PIPELINE_S3_FLUSH_SIZE: "1" }).s3.flushSize, 1);
});

Deno.test("invalid config names the key and the file", () => {
  const d1 = base();
  d1.stack.ports.kafka = "ninety";
  rejects(d1, {}, "stack.ports.kafka");
  const d2 = base();
  d2.user_id = "Has Spaces";
  rejects(d2, {}, "user_id");
  rejects(base(), { PIPELINE_USER_ID: "UPPER" }, "PIPELINE_USER_ID");
  rejects(base(), { PIPELINE_PORT_API: "70000" }, "PIPELINE_PORT_API");
  const d3 = base();
  d3.profiles.aws.kafka.auth = "kerberos";
  rejects(d3, {}, "profiles.aws.kafka.auth", "aws");
  const d4 = base();
  delete d4.profiles.aws.api_url;
  rejects(d4, {}, "profiles.aws.api_url", "aws");
  const d5 = base();
  d5.stack.ports.api = 9092;
  rejects(d5, {}, "stack.ports.api");
  rejects(base(), {}, "profiles", "staging");
  const d6 = base();
  d6.profiles.local.s3 = { flush_size: 0 };
  rejects(d6, {}, "profiles.local.s3.flush_size");
  rejects(base(), { PIPELINE_S3_FLUSH_SIZE: "one" }, "PIPELINE_S3_FLUSH_SIZE");
  rejects("just text", {}, "(document)");
});

Deno.test(".env lines parse with comments and quotes, bad lines are named", () => {
  assert.deepEqual(parseDotEnv("# c\nA=1\nexport B='two'\nC=\"3\"\nD=\n"), {
    A: "1",
    B: "two",
    C: "3",
  });
  assert.throws(() => parseDotEnv("A=1\nnot a pair"), /line 2/);
});
