/**
 * The two CloudFormation stacks of the AWS deployment. `base` holds everything with state or an
 * address: VPC, lake and MWAA buckets, Kinesis streams, API Gateway, RDS, MSK, the REST proxy host
 * and the Databricks role. `services` holds what needs `base` deployed and filled first: MSK
 * Connect (it needs the brokers, which CloudFormation cannot read from MSK) and MWAA (it checks
 * its DAG and requirements in the bucket when created).
 *
 * @module
 */
import {
  aws_ec2 as ec2,
  type aws_iam as iam,
  type aws_s3 as s3,
  CfnOutput,
  CfnParameter,
  Stack,
  type StackProps,
} from "aws-cdk-lib";
import type { Construct } from "constructs";
import type { Config } from "../core/config.ts";
import { KINDS } from "../core/names.ts";
import type { ApiDocument } from "../api/document.ts";
import { mskSinkConfig, sinkConfig } from "../lake/connector.ts";
import { pipelineVpc } from "./network.ts";
import { lakeBucket, privateBucket } from "./lake.ts";
import { kinesisStreams } from "./streams.ts";
import { pipelineApi } from "./api.ts";
import { type MskCluster, mskCluster } from "./kafka.ts";
import { restProxyHost } from "./rest_proxy_host.ts";
import { sourceDatabase } from "./database.ts";
import { databricksLakeAccess } from "./databricks.ts";
import { s3SinkConnector, type SinkConnectorAccess, sinkConnectorAccess } from "./msk_connect.ts";
import { mwaaEnvironment, mwaaExecutionRole } from "./airflow.ts";
import { OUTPUTS } from "./outputs.ts";
import type { DeploySettings } from "./settings.ts";

/** What both stacks are built from. */
export interface PipelineInputs {
  cfg: Config;
  settings: DeploySettings;
  document: ApiDocument;
  /** Deno release of the REST proxy host (stack/versions.yaml). */
  denoVersion: string;
  /** `host:port` the API forwards topics to, instead of the REST proxy host's address. */
  restProxyHost?: string;
  /** Our S3 sink plugin's directory, when `connect_plugin.source` is `ours`. */
  ourPluginDir?: string;
}

/**
 * The stateful half.
 *
 * @example
 * ```ts ignore
 * const base = new BaseStack(app, cfg.names.aws.stacks.base, inputs);
 * ```
 */
export class BaseStack extends Stack {
  readonly vpc: ec2.IVpc;
  readonly lake: s3.Bucket;
  readonly mwaaBucket: s3.Bucket;
  readonly cluster: MskCluster;
  /** MSK Connect's workers (here, as the brokers' rule that lets them in is here). */
  readonly connectorSecurityGroup: ec2.SecurityGroup;
  readonly connectorAccess: SinkConnectorAccess;
  readonly mwaaRole: iam.Role;

  constructor(scope: Construct, id: string, inputs: PipelineInputs, props: StackProps = {}) {
    super(scope, id, {
      description: `Pinterest pipeline of ${inputs.cfg.userId}: data and endpoints`,
      ...props,
    });
    const { cfg, settings } = inputs;
    const n = cfg.names;
    this.vpc = pipelineVpc(this, { vpcId: settings.vpcId, natGateways: settings.natGateways });
    this.lake = lakeBucket(this, n.bucket);
    this.mwaaBucket = privateBucket(this, "MwaaBucket", n.aws.mwaaBucket, { versioned: true });
    const streams = kinesisStreams(this, n, cfg.kinesis.shards);
    this.cluster = mskCluster(this, {
      vpc: this.vpc,
      name: n.aws.mskCluster,
      settings: settings.msk,
    });
    this.connectorSecurityGroup = new ec2.SecurityGroup(this, "SinkConnectorSecurityGroup", {
      vpc: this.vpc,
      description: "MSK Connect workers of the S3 sink",
      allowAllOutbound: true,
    });
    this.cluster.allowFrom(this.connectorSecurityGroup);
    const proxy = restProxyHost(this, {
      vpc: this.vpc,
      name: n.aws.restProxyHost,
      instanceType: settings.restProxy.instanceType,
      cluster: this.cluster,
      userId: cfg.userId,
      port: cfg.stack.ports.rest_proxy,
      denoVersion: inputs.denoVersion,
    });
    const api = pipelineApi(this, {
      name: n.aws.api,
      roleName: n.apiKinesisRole,
      document: inputs.document,
      streams: KINDS.map((k) => streams[k]),
      restProxyHost: inputs.restProxyHost ?? proxy.address,
      shardCount: cfg.kinesis.shards,
    });
    const db = sourceDatabase(this, {
      vpc: this.vpc,
      name: n.aws.dbInstance,
      databaseName: cfg.mysql.database,
      user: cfg.mysql.user,
      settings: settings.rds,
    });
    db.connections.allowDefaultPortFrom(
      proxy.instance,
      "db:seed and the emulators from the proxy host",
    );
    const databricks = databricksLakeAccess(this, n.aws.databricksRole, this.lake);
    this.connectorAccess = sinkConnectorAccess(this, {
      plugin: settings.connectPlugin,
      ourPluginDir: inputs.ourPluginDir,
      lake: this.lake,
      cluster: this.cluster,
      userId: cfg.userId,
    });
    this.mwaaRole = mwaaExecutionRole(this, {
      name: n.aws.mwaaEnvironment,
      bucket: this.mwaaBucket,
    });

    const out = (key: keyof typeof OUTPUTS.base, value: string) =>
      new CfnOutput(this, `Out${OUTPUTS.base[key]}`, { key: OUTPUTS.base[key], value });
    out("apiUrl", api.invokeUrl);
    out("restApiId", api.api.restApiId);
    out("apiStage", inputs.document.stage);
    out("bucket", this.lake.bucketName);
    out("mwaaBucket", this.mwaaBucket.bucketName);
    for (const k of KINDS) {
      new CfnOutput(this, `Out${OUTPUTS.streams[k]}`, {
        key: OUTPUTS.streams[k],
        value: streams[k].streamName,
      });
    }
    out("dbEndpoint", db.dbInstanceEndpointAddress);
    out("dbPort", db.dbInstanceEndpointPort);
    out("dbSecretArn", db.secret!.secretArn);
    out("mskClusterArn", this.cluster.arn);
    out("restProxyHost", proxy.address);
    out("databricksInstanceProfileArn", databricks.instanceProfile.attrArn);
  }
}

/**
 * What needs the base deployed and filled first.
 *
 * @example
 * ```ts ignore
 * new ServicesStack(app, cfg.names.aws.stacks.services, inputs, base);
 * ```
 */
export class ServicesStack extends Stack {
  constructor(
    scope: Construct,
    id: string,
    inputs: PipelineInputs,
    base: BaseStack,
    props: StackProps = {},
  ) {
    super(scope, id, {
      description: `Pinterest pipeline of ${inputs.cfg.userId}: MSK Connect and MWAA`,
      ...props,
    });
    const { cfg, settings } = inputs;
    const n = cfg.names;
    const bootstrapServers = new CfnParameter(this, "BootstrapServers", {
      type: "String",
      description:
        "The MSK cluster's IAM bootstrap brokers (host:9098,...), from GetBootstrapBrokers",
      minLength: 1,
    });
    const connector = s3SinkConnector(this, {
      vpc: base.vpc,
      name: n.connector,
      access: base.connectorAccess,
      config: settings.connectPlugin.source === "confluent" ? mskSinkConfig(cfg) : sinkConfig(cfg),
      bootstrapServers: bootstrapServers.valueAsString,
      securityGroup: base.connectorSecurityGroup,
    });
    const airflow = mwaaEnvironment(this, {
      vpc: base.vpc,
      name: n.aws.mwaaEnvironment,
      bucket: base.mwaaBucket,
      role: base.mwaaRole,
      settings: settings.mwaa,
    });
    new CfnOutput(this, `Out${OUTPUTS.services.connectorArn}`, {
      key: OUTPUTS.services.connectorArn,
      value: connector.attrConnectorArn,
    });
    new CfnOutput(this, `Out${OUTPUTS.services.mwaaEnvironment}`, {
      key: OUTPUTS.services.mwaaEnvironment,
      value: airflow.ref,
    });
    new CfnOutput(this, `Out${OUTPUTS.services.mwaaWebserverUrl}`, {
      key: OUTPUTS.services.mwaaWebserverUrl,
      value: airflow.attrWebserverUrl,
    });
  }
}
