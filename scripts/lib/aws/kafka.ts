/**
 * The MSK cluster (provisioned or serverless, by `profiles.aws.deploy.msk.mode`): IAM
 * authentication only, TLS between clients and brokers and inside the cluster, in the private
 * subnets; and the IAM statements a client of the pipeline's topics needs.
 *
 * @module
 */
import {
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_logs as logs,
  aws_msk as msk,
  Stack,
} from "aws-cdk-lib";
import type { Construct } from "constructs";
import { privateSubnets } from "./network.ts";
import type { DeploySettings } from "./settings.ts";

/** MSK's port for IAM-authenticated TLS clients. */
export const MSK_IAM_PORT = 9098;

/** The cluster and what its clients need. */
export interface MskCluster {
  arn: string;
  name: string;
  securityGroup: ec2.SecurityGroup;
  /** Lets `peer` reach the brokers on the IAM port. */
  allowFrom(peer: ec2.IConnectable): void;
}

/**
 * Creates the cluster.
 *
 * @example
 * ```ts ignore
 * const cluster = mskCluster(stack, { vpc, name: cfg.names.aws.mskCluster, settings: s.msk });
 * ```
 */
export function mskCluster(
  scope: Construct,
  props: { vpc: ec2.IVpc; name: string; settings: DeploySettings["msk"] },
): MskCluster {
  const securityGroup = new ec2.SecurityGroup(scope, "MskSecurityGroup", {
    vpc: props.vpc,
    description: "MSK brokers: IAM/TLS clients of the pipeline",
    allowAllOutbound: false,
  });
  const subnetIds = privateSubnets(props.vpc)
    .subnetIds;
  const iamAuth = { sasl: { iam: { enabled: true } } };
  let arn: string;
  if (props.settings.mode === "serverless") {
    arn = new msk.CfnServerlessCluster(scope, "Msk", {
      clusterName: props.name,
      clientAuthentication: iamAuth,
      vpcConfigs: [{ subnetIds, securityGroups: [securityGroup.securityGroupId] }],
    }).attrArn;
  } else {
    arn = new msk.CfnCluster(scope, "Msk", {
      clusterName: props.name,
      kafkaVersion: props.settings.kafkaVersion,
      numberOfBrokerNodes: props.settings.brokers,
      brokerNodeGroupInfo: {
        instanceType: props.settings.brokerInstanceType,
        clientSubnets: subnetIds,
        securityGroups: [securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: 10 } },
      },
      clientAuthentication: { ...iamAuth, unauthenticated: { enabled: false } },
      encryptionInfo: { encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
      loggingInfo: {
        brokerLogs: {
          cloudWatchLogs: {
            enabled: true,
            logGroup: new logs.LogGroup(scope, "MskBrokerLogs", {
              retention: logs.RetentionDays.ONE_MONTH,
            }).logGroupName,
          },
        },
      },
    }).attrArn;
  }
  return {
    arn,
    name: props.name,
    securityGroup,
    allowFrom(peer) {
      securityGroup.connections.allowFrom(peer, ec2.Port.tcp(MSK_IAM_PORT), "Kafka over IAM/TLS");
    },
  };
}

/**
 * IAM statements for a client that creates, writes and reads the pipeline's topics and their
 * consumer groups (every topic is `<user_id>.<kind>`, so `topicPrefix` is the user id).
 *
 * @example
 * ```ts ignore
 * for (const s of mskClientStatements(stack, cluster, cfg.userId)) role.addToPolicy(s);
 * ```
 */
export function mskClientStatements(
  scope: Construct,
  cluster: { name: string },
  topicPrefix: string,
): iam.PolicyStatement[] {
  // ARNs of the cluster, its topics and groups name the cluster and its generated id, which a
  // wildcard stands for: the policy needs no attribute of the cluster resource.
  const arn = (kind: string, rest?: string) =>
    Stack.of(scope).formatArn({
      service: "kafka",
      resource: kind,
      resourceName: rest === undefined ? `${cluster.name}/*` : `${cluster.name}/*/${rest}`,
    });
  return [
    new iam.PolicyStatement({
      actions: [
        "kafka-cluster:Connect",
        "kafka-cluster:DescribeCluster",
        "kafka:GetBootstrapBrokers",
        "kafka:DescribeClusterV2",
      ],
      resources: [arn("cluster")],
    }),
    new iam.PolicyStatement({
      actions: [
        "kafka-cluster:CreateTopic",
        "kafka-cluster:DescribeTopic",
        "kafka-cluster:WriteData",
        "kafka-cluster:ReadData",
      ],
      resources: [arn("topic", `${topicPrefix}.*`)],
    }),
    new iam.PolicyStatement({
      actions: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
      resources: [arn("group", "*")],
    }),
  ];
}
