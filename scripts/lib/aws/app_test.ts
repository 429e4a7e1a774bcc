/**
 * The CDK app synthesized offline, as `deno task aws:synth` does: CloudFormation's rules and
 * cdk-nag's AwsSolutions pack on, every resource there, and the contracts that tie the AWS side to
 * the local one (the connector's config, the API's body, the names).
 */
import assert from "node:assert/strict";
import { App, CfnResource, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { type Config, loadConfig } from "../core/config.ts";
import { KINDS } from "../core/names.ts";
import { loadApiDocument } from "../api/document.ts";
import { mskSinkConfig, sinkConfig } from "../lake/connector.ts";
import { awsIntegrations, deployableApiBody } from "./api_body.ts";
import { buildApp, type PipelineApp } from "./app.ts";
import { loadDeploySettings } from "./settings.ts";
import type { PipelineInputs } from "./stacks.ts";
import { ACKNOWLEDGED } from "./nag.ts";
import { mwaaFiles } from "./airflow.ts";
import { OUTPUTS } from "./outputs.ts";

const SENTINEL_PASSWORD = "sentinel-password-never-in-a-template";

async function awsConfig(overrides: Record<string, string> = {}): Promise<Config> {
  return await loadConfig({
    profile: "aws",
    env: { PIPELINE_MYSQL_PASSWORD: SENTINEL_PASSWORD, ...overrides },
  });
}

async function inputs(cfg: Config, more: Partial<PipelineInputs> = {}): Promise<PipelineInputs> {
  return {
    cfg,
    settings: await loadDeploySettings(cfg),
    document: await loadApiDocument(),
    denoVersion: "2.9.6",
    ...more,
  };
}

async function synth(i: PipelineInputs): Promise<PipelineApp> {
  const app = buildApp(i, { outdir: await Deno.makeTempDir({ prefix: "aws-synth-" }) });
  app.app.synth();
  return app;
}

const cfg = await awsConfig();
const built = { inputs: await inputs(cfg), ...await synth(await inputs(cfg)) };
const base = Template.fromStack(built.base);
const services = Template.fromStack(built.services);

Deno.test("every resource of the deployment is in its stack", () => {
  const count = (t: Template, type: string) => Object.keys(t.findResources(type)).length;
  const expected: [Template, string, number][] = [
    [base, "AWS::EC2::VPC", 1],
    [base, "AWS::EC2::NatGateway", 1],
    [base, "AWS::EC2::FlowLog", 1],
    [base, "AWS::S3::Bucket", 2],
    [base, "AWS::Kinesis::Stream", 3],
    [base, "AWS::ApiGateway::RestApi", 1],
    [base, "AWS::ApiGateway::Stage", 1],
    [base, "AWS::MSK::Cluster", 1],
    [base, "AWS::EC2::Instance", 1],
    [base, "AWS::RDS::DBInstance", 1],
    [base, "AWS::SecretsManager::Secret", 1],
    [base, "AWS::IAM::InstanceProfile", 2],
    [services, "AWS::KafkaConnect::CustomPlugin", 1],
    [services, "AWS::KafkaConnect::Connector", 1],
    [services, "AWS::MWAA::Environment", 1],
  ];
  for (const [t, type, n] of expected) assert.equal(count(t, type), n, type);
});

Deno.test("the connector's configuration is the one setup-connector --print-msk-config prints", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../setup_connector.ts", import.meta.url).pathname,
      "--print-msk-config",
    ],
    env: { PIPELINE_PROFILE: "aws", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const printed = Object.fromEntries(
    new TextDecoder().decode(out.stdout).split("\n").filter((l) => l && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const connector = Object.values(services.findResources("AWS::KafkaConnect::Connector"))[0];
  assert.deepEqual(connector.Properties.ConnectorConfiguration, printed);
  assert.deepEqual(printed, mskSinkConfig(cfg));
  assert.equal(printed["s3.bucket.name"], cfg.names.bucket);
  assert.equal(printed["topics.regex"], cfg.names.topicsRegex);
  services.hasResourceProperties("AWS::KafkaConnect::Connector", {
    ConnectorName: cfg.names.connector,
    KafkaClusterClientAuthentication: { AuthenticationType: "IAM" },
    KafkaClusterEncryptionInTransit: { EncryptionType: "TLS" },
    KafkaCluster: { ApacheKafkaCluster: { BootstrapServers: { Ref: "BootstrapServers" } } },
  });
});

Deno.test("the API's body is the document with only the role and the region filled in", async () => {
  const doc = await loadApiDocument();
  const api = Object.values(base.findResources("AWS::ApiGateway::RestApi"))[0];
  const role = Object.keys(base.findResources("AWS::IAM::Role", {
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [{ Principal: { Service: "apigateway.amazonaws.com" } }],
      },
    },
  })).find((id) => id.startsWith("ApiKinesisRole"))!;
  // The role the local gateway's AccessDenied names (api/kinesis_integration.ts), by name.
  assert.equal(
    base.findResources("AWS::IAM::Role")[role].Properties.RoleName,
    cfg.names.apiKinesisRole,
  );
  assert.deepEqual(
    api.Properties.Body,
    deployableApiBody(doc.raw, {
      region: cfg.region,
      roleArn: { "Fn::GetAtt": [role, "Arn"] } as never,
    }),
  );
  // And in another region, the region of every Kinesis integration follows.
  const west = await synth(await inputs(await awsConfig({ AWS_REGION: "eu-west-2" })));
  const body = Object.values(
    Template.fromStack(west.base).findResources("AWS::ApiGateway::RestApi"),
  )[0]
    .Properties.Body;
  const uris = awsIntegrations(body).map((i) => String(i.integration.uri));
  assert.equal(uris.length, awsIntegrations(doc.raw).length);
  for (const uri of uris) assert.match(uri, /^arn:aws:apigateway:eu-west-2:kinesis:action\//);
  base.hasResourceProperties("AWS::ApiGateway::Stage", {
    StageName: doc.stage,
    Variables: { shardCount: String(cfg.kinesis.shards), restProxyHost: Match.anyValue() },
  });
});

Deno.test("streams, bucket, topics, cluster and environments carry the names of names.ts", async () => {
  const n = cfg.names;
  for (const k of KINDS) {
    base.hasResourceProperties("AWS::Kinesis::Stream", {
      Name: n.streams[k],
      StreamEncryption: { EncryptionType: "KMS" },
    });
    base.hasOutput(OUTPUTS.streams[k], { Value: { Ref: Match.stringLikeRegexp("^Stream") } });
  }
  base.hasResourceProperties("AWS::S3::Bucket", { BucketName: n.bucket });
  base.hasResourceProperties("AWS::MSK::Cluster", { ClusterName: n.aws.mskCluster });
  base.hasResourceProperties("AWS::RDS::DBInstance", {
    DBInstanceIdentifier: n.aws.dbInstance,
    DBName: cfg.mysql.database,
  });
  base.hasResourceProperties("AWS::ApiGateway::RestApi", { Name: n.aws.api });
  services.hasResourceProperties("AWS::MWAA::Environment", {
    Name: n.aws.mwaaEnvironment,
    DagS3Path: "dags",
    RequirementsS3Path: "requirements.txt",
    StartupScriptS3Path: "startup.sh",
  });
  // The REST proxy host may write exactly the user's topics.
  const policies = JSON.stringify(base.findResources("AWS::IAM::Policy"));
  assert.ok(
    policies.includes(`:topic/${n.aws.mskCluster}/*/${n.userId}.*`),
    "topic ARNs by user id",
  );
  assert.deepEqual(
    (await mwaaFiles(n)).map((f) => f.key),
    [`dags/${n.dagFile}`, "dags/names.json", "requirements.txt", "startup.sh"],
  );
  assert.equal(built.base.stackName, n.aws.stacks.base);
  assert.equal(built.services.stackName, n.aws.stacks.services);
});

Deno.test("the lake is private, encrypted and TLS-only; MSK is IAM over TLS", () => {
  base.hasResourceProperties("AWS::S3::Bucket", {
    BucketName: cfg.names.bucket,
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{
        ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" },
      }],
    },
  });
  base.hasResourceProperties("AWS::S3::BucketPolicy", {
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      })]),
    },
  });
  base.hasResourceProperties("AWS::MSK::Cluster", {
    ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
    EncryptionInfo: { EncryptionInTransit: { ClientBroker: "TLS", InCluster: true } },
    NumberOfBrokerNodes: 2,
  });
  base.hasResourceProperties("AWS::IAM::InstanceProfile", {
    InstanceProfileName: cfg.names.aws.databricksRole,
  });
});

Deno.test("no secret is in a template: the database password is Secrets Manager's", () => {
  const text = JSON.stringify([base.toJSON(), services.toJSON()]);
  assert.ok(!text.includes(SENTINEL_PASSWORD), "the environment's password stays out");
  const db = Object.values(base.findResources("AWS::RDS::DBInstance"))[0];
  assert.match(JSON.stringify(db.Properties.MasterUserPassword), /resolve:secretsmanager:/);
  assert.ok(!/aws\.secret\.access\.key|SecretAccessKey/i.test(text), "no access keys");
});

Deno.test("serverless MSK and our own plugin, by the settings", async () => {
  const i = await inputs(cfg);
  const dir = await Deno.makeTempDir({ prefix: "plugin-" });
  await Deno.writeTextFile(`${dir}/pipeline-s3-sink.jar`, "not really a jar");
  const app = await synth({
    ...i,
    settings: {
      ...i.settings,
      msk: { ...i.settings.msk, mode: "serverless" },
      connectPlugin: { source: "ours" },
    },
    ourPluginDir: dir,
  });
  const b = Template.fromStack(app.base);
  b.resourceCountIs("AWS::MSK::Cluster", 0);
  b.hasResourceProperties("AWS::MSK::ServerlessCluster", {
    ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
  });
  const s = Template.fromStack(app.services);
  const connector = Object.values(s.findResources("AWS::KafkaConnect::Connector"))[0];
  assert.deepEqual(connector.Properties.ConnectorConfiguration, sinkConfig(cfg));
  s.hasResourceProperties("AWS::KafkaConnect::CustomPlugin", {
    Location: { S3Location: { FileKey: Match.stringLikeRegexp("\\.zip$") } },
  });
  await assert.rejects(
    () => synth({ ...i, settings: { ...i.settings, connectPlugin: { source: "ours" } } }),
    /Cannot upload our S3 sink plugin/,
  );
});

Deno.test("an unacknowledged cdk-nag finding fails the synth", async () => {
  // The deployment itself with one acknowledgement taken away.
  const at = ACKNOWLEDGED.findIndex((a) => a.id === "AwsSolutions-S1");
  const [taken] = ACKNOWLEDGED.splice(at, 1);
  try {
    const e = await synth(built.inputs).then(() => undefined, (e: Error) => e);
    assert.match(String(e?.message), /Validation failed/);
    const report = /found in: (\S+\.json)/.exec(e!.message)![1];
    const text = await Deno.readTextFile(report);
    assert.match(text, /AwsSolutions-S1/);
    assert.doesNotMatch(text, /AwsSolutions-(?!S1)\w+/, "only the finding taken away");
  } finally {
    ACKNOWLEDGED.splice(at, 0, taken);
  }
});

Deno.test("CloudFormation's own rules are on: a bad property fails the synth", () => {
  const app = new App({
    outdir: Deno.makeTempDirSync(),
    context: { "@aws-cdk/core:validateAgainstDefaultRules": true },
  });
  const stack = new Stack(app, "Bad");
  new CfnResource(stack, "Stream", {
    type: "AWS::Kinesis::Stream",
    properties: { ShardCount: "many" },
  });
  assert.throws(() => app.synth(), /ShardCount|Validation failed/);
});

Deno.test("every acknowledgement names its reason and a construct that exists", () => {
  for (const a of ACKNOWLEDGED) {
    assert.ok(a.reason.length > 20, `${a.id}: a reason`);
    if (a.on) {
      assert.ok(
        built.base.node.tryFindChild(a.on) ?? built.services.node.tryFindChild(a.on),
        `${a.id} on ${a.on}: no such construct`,
      );
    }
  }
});
