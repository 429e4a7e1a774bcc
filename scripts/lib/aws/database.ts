/**
 * RDS MySQL for the source tables (docs/spec.md §2), in the private subnets, encrypted, with IAM
 * database authentication on and its admin password generated into Secrets Manager: no password
 * is ever in the template or the repository.
 *
 * @module
 */
import { aws_ec2 as ec2, aws_rds as rds, Duration, RemovalPolicy } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { privateSubnets } from "./network.ts";
import type { DeploySettings } from "./settings.ts";

/** What the source database needs. */
export interface SourceDatabaseProps {
  vpc: ec2.IVpc;
  name: string;
  databaseName: string;
  user: string;
  settings: DeploySettings["rds"];
}

/**
 * Creates the instance.
 *
 * @example
 * ```ts ignore
 * const db = sourceDatabase(stack, { vpc, name, databaseName: "pinterest_data", user: "admin", settings: s.rds });
 * db.secret?.secretArn; // where PIPELINE_MYSQL_PASSWORD is read from
 * ```
 */
export function sourceDatabase(scope: Construct, props: SourceDatabaseProps): rds.DatabaseInstance {
  const [major] = /^\d+\.\d+/.exec(props.settings.engineVersion) ?? [];
  if (!major) {
    throw new Error(
      `Invalid profiles.aws.deploy.rds.engine_version ${props.settings.engineVersion}: ` +
        "expected a MySQL version such as 8.4.7",
    );
  }
  return new rds.DatabaseInstance(scope, "SourceDb", {
    instanceIdentifier: props.name,
    engine: rds.DatabaseInstanceEngine.mysql({
      version: rds.MysqlEngineVersion.of(props.settings.engineVersion, major),
    }),
    instanceType: new ec2.InstanceType(props.settings.instanceType),
    vpc: props.vpc,
    vpcSubnets: privateSubnets(props.vpc),
    databaseName: props.databaseName,
    credentials: rds.Credentials.fromGeneratedSecret(props.user),
    allocatedStorage: props.settings.allocatedStorageGiB,
    storageEncrypted: true,
    iamAuthentication: true,
    backupRetention: Duration.days(1),
    cloudwatchLogsExports: ["error", "general", "slowquery"],
    deletionProtection: false,
    removalPolicy: RemovalPolicy.SNAPSHOT,
  });
}
