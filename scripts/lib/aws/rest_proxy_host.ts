/**
 * The REST proxy host: an EC2 instance in a public subnet running **our** Kafka REST proxy
 * (`scripts/rest_proxy.ts`, the aws profile: MSK over IAM/TLS with the instance's role), which the
 * API's `POST /topics/{topic}` forwards to, as the course's Confluent proxy on EC2 was. The code
 * goes up as a CDK asset; at boot the instance installs the pinned Deno, asks MSK for its
 * brokers, creates the topics and starts the proxy under systemd.
 *
 * @module
 */
import { aws_ec2 as ec2, aws_iam as iam, aws_s3_assets as assets, Stack } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { REPO_ROOT } from "../core/paths.ts";
import type { MskCluster } from "./kafka.ts";
import { mskClientStatements } from "./kafka.ts";

/** The repository files the proxy and `setup-topics` run from; everything else stays home. */
export const PROXY_ASSET_INCLUDE = [
  "deno.json",
  "deno.lock",
  "pipeline.yaml",
  "dags",
  "scripts",
  "sql",
  "api",
];

/** What the host needs. */
export interface RestProxyHostProps {
  vpc: ec2.IVpc;
  name: string;
  instanceType: string;
  cluster: MskCluster;
  userId: string;
  /** The proxy's port (the profile's `stack.ports.rest_proxy`). */
  port: number;
  /** Deno release the instance installs (stack/versions.yaml). */
  denoVersion: string;
}

/** The instance and the address the API forwards to. */
export interface RestProxyHost {
  instance: ec2.Instance;
  /** `<public dns>:<port>`. */
  address: string;
}

/**
 * Creates the host.
 *
 * @example
 * ```ts ignore
 * const proxy = restProxyHost(stack, { vpc, name, instanceType: "t3.micro", cluster, userId, port: 8082, denoVersion: "2.9.6" });
 * ```
 */
export function restProxyHost(scope: Construct, props: RestProxyHostProps): RestProxyHost {
  const code = new assets.Asset(scope, "RestProxyCode", {
    path: REPO_ROOT,
    exclude: ["*", ...PROXY_ASSET_INCLUDE.flatMap((p) => [`!${p}`, `!${p}/**`]), "*_test.ts"],
  });
  const role = new iam.Role(scope, "RestProxyRole", {
    assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
    description: "The REST proxy host: MSK over IAM, its code asset, SSM sessions",
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName("AmazonSSMManagedInstanceCore")],
  });
  for (const s of mskClientStatements(scope, props.cluster, props.userId)) role.addToPolicy(s);
  code.grantRead(role);

  const securityGroup = new ec2.SecurityGroup(scope, "RestProxySecurityGroup", {
    vpc: props.vpc,
    description: "REST proxy: Kafka REST v2 from API Gateway",
    allowAllOutbound: true,
  });
  // API Gateway's HTTP integrations come from AWS's public address ranges, not a fixed source.
  securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(props.port), "API Gateway");
  props.cluster.allowFrom(securityGroup);

  const region = Stack.of(scope).region;
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    "set -euo pipefail",
    "dnf install -y unzip",
    `curl -fsSL https://dl.deno.land/release/v${props.denoVersion}/deno-x86_64-unknown-linux-gnu.zip -o /tmp/deno.zip`,
    "unzip -o /tmp/deno.zip -d /usr/local/bin",
    `aws s3 cp ${code.s3ObjectUrl} /tmp/pipeline.zip`,
    "mkdir -p /opt/pipeline /var/lib/pipeline && unzip -o /tmp/pipeline.zip -d /opt/pipeline",
    `BROKERS=$(aws kafka get-bootstrap-brokers --region ${region} --cluster-arn ${props.cluster.arn} --query BootstrapBrokerStringSaslIam --output text)`,
    "cat > /etc/pipeline.env <<EOF",
    "PIPELINE_PROFILE=aws",
    "PIPELINE_STACK_HOST=0.0.0.0",
    `PIPELINE_PORT_REST_PROXY=${props.port}`,
    "PIPELINE_KAFKA_BROKERS=$BROKERS",
    `AWS_REGION=${region}`,
    "PIPELINE_STATE_DIR=/var/lib/pipeline",
    "DENO_DIR=/var/lib/pipeline/deno",
    "EOF",
    "cat > /etc/systemd/system/rest-proxy.service <<EOF",
    "[Unit]",
    "Description=Kafka REST proxy of the pipeline (scripts/rest_proxy.ts)",
    "After=network-online.target",
    "[Service]",
    "WorkingDirectory=/opt/pipeline",
    "EnvironmentFile=/etc/pipeline.env",
    "ExecStartPre=/usr/local/bin/deno run -P=client scripts/setup_topics.ts",
    "ExecStart=/usr/local/bin/deno run -P=client scripts/rest_proxy.ts",
    "Restart=always",
    "[Install]",
    "WantedBy=multi-user.target",
    "EOF",
    "systemctl daemon-reload",
    "systemctl enable --now rest-proxy",
  );
  const instance = new ec2.Instance(scope, "RestProxy", {
    vpc: props.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    instanceName: props.name,
    instanceType: new ec2.InstanceType(props.instanceType),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    securityGroup,
    role,
    userData,
    requireImdsv2: true,
    blockDevices: [{
      deviceName: "/dev/xvda",
      volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }),
    }],
  });
  return { instance, address: `${instance.instancePublicDnsName}:${props.port}` };
}
