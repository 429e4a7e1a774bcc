/**
 * The VPC everything runs in: a new one over two availability zones (public subnets for the REST
 * proxy host and the NAT gateway, private ones for RDS, MSK, MSK Connect and MWAA), or an
 * existing one by id (`profiles.aws.deploy.vpc_id`, looked up at synth with AWS credentials).
 *
 * @module
 */
import { aws_ec2 as ec2 } from "aws-cdk-lib";
import type { Construct } from "constructs";

/**
 * The deployment's VPC.
 *
 * @example
 * ```ts ignore
 * const vpc = pipelineVpc(stack, settings.vpcId);
 * ```
 */
export function pipelineVpc(scope: Construct, vpcId: string | undefined): ec2.IVpc {
  if (vpcId) return ec2.Vpc.fromLookup(scope, "Vpc", { vpcId });
  const vpc = new ec2.Vpc(scope, "Vpc", {
    maxAzs: 2,
    // One NAT gateway: the private subnets reach AWS APIs and PyPI (MWAA) through it.
    natGateways: 1,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "private", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
    ],
  });
  vpc.addFlowLog("FlowLog");
  return vpc;
}
