/**
 * What a Databricks workspace on AWS uses to read and write the lake: a role for its clusters,
 * with an instance profile, allowed to list the lake bucket and read, write and delete its
 * objects. The workspace itself (and its cross-account role) stays outside CloudFormation: it is
 * created in the Databricks account console, which then registers this instance profile
 * (docs/aws.md).
 *
 * @module
 */
import { aws_iam as iam, type aws_s3 as s3 } from "aws-cdk-lib";
import type { Construct } from "constructs";

/** The role and its instance profile. */
export interface DatabricksAccess {
  role: iam.Role;
  instanceProfile: iam.CfnInstanceProfile;
}

/**
 * Creates the role and instance profile.
 *
 * @example
 * ```ts ignore
 * const { instanceProfile } = databricksLakeAccess(stack, cfg.names.aws.databricksRole, bucket);
 * ```
 */
export function databricksLakeAccess(
  scope: Construct,
  roleName: string,
  lake: s3.IBucket,
): DatabricksAccess {
  const role = new iam.Role(scope, "DatabricksLakeRole", {
    roleName,
    assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
    description: "Databricks clusters: read and write the lake",
  });
  lake.grantReadWrite(role);
  lake.grantDelete(role);
  const instanceProfile = new iam.CfnInstanceProfile(scope, "DatabricksInstanceProfile", {
    instanceProfileName: roleName,
    roles: [role.roleName],
  });
  return { role, instanceProfile };
}
