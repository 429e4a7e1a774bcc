/**
 * MSK Connect: the custom plugin (the Confluent S3 sink zip uploaded to the lake bucket, or our
 * own plugin uploaded as a CDK asset) and the connector, whose configuration is the one the
 * local code defines: `mskSinkConfig` (what `deno task setup-connector --print-msk-config`
 * prints) for Confluent's plugin, `sinkConfig` for ours. It reaches MSK over IAM/TLS and writes
 * the lake with its execution role.
 *
 * @module
 */
import {
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kafkaconnect as kafkaconnect,
  aws_logs as logs,
  type aws_s3 as s3,
  aws_s3_assets as assets,
} from "aws-cdk-lib";
import type { Construct } from "constructs";
import { privateSubnets } from "./network.ts";
import type { ConnectPlugin } from "./settings.ts";
import { mskClientStatements } from "./kafka.ts";

/** MSK Connect's Kafka Connect version (3.7.x runs plugins built for Connect 3.x). */
export const KAFKA_CONNECT_VERSION = "3.7.x";

/** Where the plugin is, and the role the connector runs as. */
export interface SinkConnectorAccess {
  role: iam.Role;
  location: { bucketArn: string; fileKey: string };
}

/**
 * The plugin's S3 location (uploading our plugin as an asset) and the connector's execution role:
 * MSK over IAM, the lake read and written, the plugin read. In the base stack, beside the
 * resources it grants on.
 *
 * @example
 * ```ts ignore
 * const access = sinkConnectorAccess(stack, { plugin, lake, cluster, userId });
 * ```
 */
export function sinkConnectorAccess(
  scope: Construct,
  props: {
    plugin: ConnectPlugin;
    /** Our plugin's directory (required when `plugin.source` is `ours`). */
    ourPluginDir?: string;
    lake: s3.IBucket;
    cluster: { arn: string; name: string };
    userId: string;
  },
): SinkConnectorAccess {
  let location: { bucketArn: string; fileKey: string };
  if (props.plugin.source === "confluent") {
    location = { bucketArn: props.lake.bucketArn, fileKey: props.plugin.s3Key };
  } else {
    if (!props.ourPluginDir) {
      throw new Error(
        "Cannot upload our S3 sink plugin: its directory is not known; run `deno task " +
          "stack:install` (it builds stack/connect-s3-sink) or set connect_plugin.source: confluent",
      );
    }
    const asset = new assets.Asset(scope, "SinkPluginCode", { path: props.ourPluginDir });
    location = { bucketArn: asset.bucket.bucketArn, fileKey: asset.s3ObjectKey };
  }
  const role = new iam.Role(scope, "SinkConnectorRole", {
    assumedBy: new iam.ServicePrincipal("kafkaconnect.amazonaws.com"),
    description: "MSK Connect S3 sink: read the topics, write the lake",
  });
  for (const s of mskClientStatements(scope, props.cluster, props.userId)) role.addToPolicy(s);
  props.lake.grantReadWrite(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ["s3:GetObject"],
      resources: [`${location.bucketArn}/${location.fileKey}`],
    }),
  );
  return { role, location };
}

/** What the connector needs. */
export interface SinkConnectorProps {
  vpc: ec2.IVpc;
  name: string;
  access: SinkConnectorAccess;
  /** The connector's configuration (mskSinkConfig or sinkConfig of scripts/lib/lake/connector.ts). */
  config: Record<string, string>;
  /** The cluster's IAM bootstrap brokers (`host:9098,...`). */
  bootstrapServers: string;
  securityGroup: ec2.ISecurityGroup;
}

/**
 * Creates the plugin and the connector.
 *
 * @example
 * ```ts ignore
 * const connector = s3SinkConnector(stack, { vpc, name, access, config: mskSinkConfig(cfg), ... });
 * ```
 */
export function s3SinkConnector(
  scope: Construct,
  props: SinkConnectorProps,
): kafkaconnect.CfnConnector {
  const plugin = new kafkaconnect.CfnCustomPlugin(scope, "SinkPlugin", {
    name: `${props.name}-plugin`,
    contentType: "ZIP",
    location: { s3Location: props.access.location },
  });
  const logGroup = new logs.LogGroup(scope, "SinkConnectorLogs", {
    retention: logs.RetentionDays.ONE_MONTH,
  });
  const subnets = privateSubnets(props.vpc);
  return new kafkaconnect.CfnConnector(scope, "SinkConnector", {
    connectorName: props.name,
    kafkaConnectVersion: KAFKA_CONNECT_VERSION,
    connectorConfiguration: props.config,
    capacity: { provisionedCapacity: { mcuCount: 1, workerCount: 1 } },
    kafkaCluster: {
      apacheKafkaCluster: {
        bootstrapServers: props.bootstrapServers,
        vpc: {
          securityGroups: [props.securityGroup.securityGroupId],
          subnets: subnets.subnetIds,
        },
      },
    },
    kafkaClusterClientAuthentication: { authenticationType: "IAM" },
    kafkaClusterEncryptionInTransit: { encryptionType: "TLS" },
    plugins: [{
      customPlugin: { customPluginArn: plugin.attrCustomPluginArn, revision: plugin.attrRevision },
    }],
    serviceExecutionRoleArn: props.access.role.roleArn,
    logDelivery: {
      workerLogDelivery: {
        cloudWatchLogs: { enabled: true, logGroup: logGroup.logGroupName },
      },
    },
  });
}
