/**
 * The VPC everything runs in: a new one over two availability zones (public subnets for the REST
 * proxy host and the NAT gateway, private ones for RDS, MSK, MSK Connect and MWAA), or an
 * existing one by id (`profiles.aws.deploy.vpc_id`, looked up at synth with AWS credentials).
 * `nat_gateways: 0` makes the private subnets isolated (no NAT gateway to pay for, and what
 * LocalStack can deploy: its CloudFormation has no AllocationId for an Elastic IP).
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
 * const vpc = pipelineVpc(stack, { vpcId: settings.vpcId, natGateways: settings.natGateways });
 * ```
 */
export function pipelineVpc(
  scope: Construct,
  opts: { vpcId?: string; natGateways: number },
): ec2.IVpc {
  if (opts.vpcId) return ec2.Vpc.fromLookup(scope, "Vpc", { vpcId: opts.vpcId });
  const vpc = new ec2.Vpc(scope, "Vpc", {
    maxAzs: 2,
    // The private subnets reach AWS APIs and PyPI (MWAA) through the NAT gateways; without one
    // they are isolated.
    natGateways: opts.natGateways,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      {
        name: "private",
        subnetType: opts.natGateways
          ? ec2.SubnetType.PRIVATE_WITH_EGRESS
          : ec2.SubnetType.PRIVATE_ISOLATED,
        cidrMask: 24,
      },
    ],
  });
  vpc.addFlowLog("FlowLog");
  return vpc;
}

/**
 * The private subnets of a VPC: those with a route out when it has them, else the isolated ones.
 *
 * @example
 * ```ts ignore
 * const db = new rds.DatabaseInstance(stack, "Db", { vpc, vpcSubnets: privateSubnets(vpc), ... });
 * ```
 */
export function privateSubnets(vpc: ec2.IVpc): ec2.SelectedSubnets {
  return vpc.selectSubnets({
    subnetType: vpc.privateSubnets.length
      ? ec2.SubnetType.PRIVATE_WITH_EGRESS
      : ec2.SubnetType.PRIVATE_ISOLATED,
  });
}
