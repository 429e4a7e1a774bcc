/**
 * MWAA: the versioned DAG bucket (base stack), and the environment (services stack) that runs the
 * DAG of `dags/` with `stack/mwaa-requirements.txt`, pinned for Airflow 2.10. The files go into
 * the bucket between the two stacks' deploys (scripts/lib/aws/deploy.ts), because MWAA checks
 * them when the environment is created.
 *
 * @module
 */
import {
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_mwaa as mwaa,
  type aws_s3 as s3,
  Stack,
} from "aws-cdk-lib";
import type { Construct } from "constructs";
import { privateSubnets } from "./network.ts";
import type { Names } from "../core/names.ts";
import { repoPath } from "../core/paths.ts";
import type { DeploySettings } from "./settings.ts";

/** Where MWAA's files go in its bucket, as the environment names them. */
export const MWAA_PATHS = {
  dags: "dags",
  requirements: "requirements.txt",
  startup: "startup.sh",
} as const;

/** A file MWAA reads from its bucket. */
export interface MwaaFile {
  key: string;
  body: string;
}

/**
 * The files the environment reads: the DAG under its user-id name and the names file it reads
 * beside it, the requirements, and a startup script that gives the DAG its user id (MWAA has no
 * pipeline.yaml).
 *
 * @example
 * ```ts
 * import { names } from "../core/names.ts";
 * import { mwaaFiles } from "./airflow.ts";
 * (await mwaaFiles(names("0a1b2c3d4e5f"))).map((f) => f.key);
 * // ["dags/0a1b2c3d4e5f_dag.py", "dags/names.json", "requirements.txt", "startup.sh"]
 * ```
 */
export async function mwaaFiles(n: Names): Promise<MwaaFile[]> {
  const read = (path: string) => Deno.readTextFile(repoPath(path));
  return [
    { key: `${MWAA_PATHS.dags}/${n.dagFile}`, body: await read("dags/pinterest_dag.py") },
    { key: `${MWAA_PATHS.dags}/names.json`, body: await read("dags/names.json") },
    { key: MWAA_PATHS.requirements, body: await read("stack/mwaa-requirements.txt") },
    { key: MWAA_PATHS.startup, body: `#!/bin/sh\nexport PIPELINE_USER_ID=${n.userId}\n` },
  ];
}

/**
 * MWAA's execution role (the statements of the MWAA user guide), in the base stack beside the
 * bucket it reads.
 *
 * @example
 * ```ts ignore
 * const role = mwaaExecutionRole(stack, { name: cfg.names.aws.mwaaEnvironment, bucket });
 * ```
 */
export function mwaaExecutionRole(
  scope: Construct,
  props: { name: string; bucket: s3.IBucket },
): iam.Role {
  const stack = Stack.of(scope);
  const envArn = stack.formatArn({
    service: "airflow",
    resource: "environment",
    resourceName: props.name,
  });
  const role = new iam.Role(scope, "MwaaExecutionRole", {
    assumedBy: new iam.CompositePrincipal(
      new iam.ServicePrincipal("airflow.amazonaws.com"),
      new iam.ServicePrincipal("airflow-env.amazonaws.com"),
    ),
    description: "MWAA execution role (the statements of the MWAA user guide)",
  });
  props.bucket.grantRead(role);
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ["airflow:PublishMetrics"], resources: [envArn] }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        "logs:CreateLogStream",
        "logs:CreateLogGroup",
        "logs:PutLogEvents",
        "logs:GetLogEvents",
        "logs:GetLogRecord",
        "logs:GetLogGroupFields",
        "logs:GetQueryResults",
      ],
      resources: [
        `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:airflow-${props.name}-*`,
      ],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        "logs:DescribeLogGroups",
        "cloudwatch:PutMetricData",
        "s3:GetAccountPublicAccessBlock",
      ],
      resources: ["*"],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
      ],
      resources: [`arn:${stack.partition}:sqs:${stack.region}:*:airflow-celery-*`],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"],
      // The user guide's statement for the AWS-owned key of MWAA's queue: any key but this account's.
      notResources: [`arn:${stack.partition}:kms:*:${stack.account}:key/*`],
      conditions: {
        StringLike: { "kms:ViaService": [`sqs.${stack.region}.amazonaws.com`] },
      },
    }),
  );

  return role;
}

/** What the environment needs. */
export interface MwaaProps {
  vpc: ec2.IVpc;
  name: string;
  bucket: s3.IBucket;
  role: iam.IRole;
  settings: DeploySettings["mwaa"];
}

/**
 * Creates the security group and the environment.
 *
 * @example
 * ```ts ignore
 * const env = mwaaEnvironment(stack, { vpc, name, bucket, role, settings: s.mwaa });
 * ```
 */
export function mwaaEnvironment(scope: Construct, props: MwaaProps): mwaa.CfnEnvironment {
  const securityGroup = new ec2.SecurityGroup(scope, "MwaaSecurityGroup", {
    vpc: props.vpc,
    description: "MWAA: its workers, scheduler and web server talk among themselves",
    allowAllOutbound: true,
  });
  securityGroup.addIngressRule(securityGroup, ec2.Port.allTraffic(), "MWAA components");
  const subnets = privateSubnets(props.vpc);
  const logging = { enabled: true, logLevel: "INFO" };
  return new mwaa.CfnEnvironment(scope, "Mwaa", {
    name: props.name,
    airflowVersion: props.settings.airflowVersion,
    environmentClass: props.settings.environmentClass,
    sourceBucketArn: props.bucket.bucketArn,
    dagS3Path: MWAA_PATHS.dags,
    requirementsS3Path: MWAA_PATHS.requirements,
    startupScriptS3Path: MWAA_PATHS.startup,
    executionRoleArn: props.role.roleArn,
    maxWorkers: 1,
    webserverAccessMode: "PRIVATE_ONLY",
    networkConfiguration: {
      securityGroupIds: [securityGroup.securityGroupId],
      subnetIds: subnets.subnetIds.slice(0, 2),
    },
    loggingConfiguration: {
      dagProcessingLogs: logging,
      schedulerLogs: logging,
      taskLogs: logging,
      webserverLogs: logging,
      workerLogs: logging,
    },
  });
}
