/**
 * The cdk-nag AwsSolutions findings the deployment accepts, each with its reason. cdk-nag 3 is a
 * CDK policy-validation plugin: any finding not acknowledged here fails the synth. An entry with
 * `on` is acknowledged only on that construct (its id in the stack); one without, stack-wide.
 * Granular rules (IAM4, IAM5) are acknowledged finding by finding (`appliesTo`), in cdk-nag's own
 * spelling, where `{Lake}` stands for a construct's logical id and `{region}`, `{userId}`,
 * `{mskCluster}`, `{mwaaEnvironment}` for the deployment's values.
 *
 * @module
 */
import { type CfnElement, type Stack, Validations } from "aws-cdk-lib";
import type { Names } from "../core/names.ts";

/** One accepted finding. */
export interface Acknowledgement {
  id: string;
  reason: string;
  /** The construct it applies to (id in its stack); absent: the whole stack. */
  on?: string;
  /** The findings of a granular rule it covers (`Action::s3:List*`, `Resource::...`). */
  appliesTo?: string[];
}

const READ = ["Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*"];
const WRITE = [...READ, "Action::s3:Abort*", "Action::s3:DeleteObject*"];
const MSK_ARN = "Resource::arn:<AWS::Partition>:kafka:{region}:<AWS::AccountId>";
const MSK = [
  `${MSK_ARN}:cluster/{mskCluster}/*`,
  `${MSK_ARN}:topic/{mskCluster}/*/{userId}.*`,
  `${MSK_ARN}:group/{mskCluster}/*/*`,
];
const ASSETS =
  "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{region}/*";

/** Findings accepted for the deployment. */
export const ACKNOWLEDGED: Acknowledgement[] = [
  {
    id: "AwsSolutions-APIG2",
    on: "Api",
    reason: "Request validation is in the API document's body (x-amazon-apigateway-request-" +
      "validators on every route), which cdk-nag does not read",
  },
  {
    id: "AwsSolutions-APIG3",
    on: "Api",
    reason: "No WAF: a course deployment for one user, destroyed after use; WAF costs more than " +
      "the API",
  },
  {
    id: "AwsSolutions-APIG4",
    on: "Api",
    reason: "The emulators call the API without credentials, as the original's did; the routes " +
      "only accept the user's own topics and streams",
  },
  {
    id: "AwsSolutions-COG4",
    on: "Api",
    reason: "No Cognito: see APIG4",
  },
  {
    id: "AwsSolutions-IAM4",
    on: "Api",
    appliesTo: [
      "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    ],
    reason: "CDK's account-level role for API Gateway logging uses the AWS-managed push policy",
  },
  {
    id: "AwsSolutions-EC23",
    on: "RestProxySecurityGroup",
    reason: "API Gateway's HTTP integration calls from AWS's public ranges, which have no fixed " +
      "prefix list; only the proxy port is open",
  },
  {
    id: "AwsSolutions-EC28",
    on: "RestProxy",
    reason: "Basic monitoring is enough for one small proxy host",
  },
  {
    id: "AwsSolutions-EC29",
    on: "RestProxy",
    reason: "The host is stateless and rebuilt by the stack; `aws:destroy` must remove it",
  },
  {
    id: "AwsSolutions-IAM4",
    on: "RestProxyRole",
    appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    reason: "AmazonSSMManagedInstanceCore: Session Manager access instead of an SSH port",
  },
  {
    id: "AwsSolutions-IAM5",
    on: "RestProxyRole",
    appliesTo: [...MSK, ...READ, ASSETS],
    reason: "MSK topic and group ARNs carry the cluster's generated id (wildcard) and the " +
      "user's topic prefix; the code asset is read through CDK's grant (s3:GetObject*, List*)",
  },
  {
    id: "AwsSolutions-IAM5",
    on: "ApiKinesisRole",
    appliesTo: ["Resource::*"],
    reason: "reads (ListStreams, DescribeStream) are open, as the local gateway's role has " +
      "them (ListStreams has no resource-level permission); every write is on the three streams",
  },
  {
    id: "AwsSolutions-IAM5",
    on: "SinkConnectorRole",
    appliesTo: [...MSK, ...WRITE, "Resource::<{Lake}.Arn>/*", ASSETS],
    reason: "MSK topic and group ARNs carry the cluster's generated id; the sink writes any " +
      "object under the lake (CDK's grantReadWrite)",
  },
  {
    id: "AwsSolutions-IAM5",
    on: "MwaaExecutionRole",
    appliesTo: [
      ...READ,
      "Resource::<{MwaaBucket}.Arn>/*",
      "Resource::*",
      "Action::kms:GenerateDataKey*",
      "Resource::arn:<AWS::Partition>:logs:{region}:<AWS::AccountId>:log-group:airflow-{mwaaEnvironment}-*",
      "Resource::arn:<AWS::Partition>:sqs:{region}:*:airflow-celery-*",
    ],
    reason: "The statements of the MWAA user guide's execution role: its Celery queues and log " +
      "groups are named by MWAA, metrics have no resource",
  },
  {
    id: "AwsSolutions-IAM5",
    on: "DatabricksLakeRole",
    appliesTo: [...WRITE, "Resource::<{Lake}.Arn>/*"],
    reason: "Databricks reads, writes and deletes any object of the lake (CDK's grants)",
  },
  {
    id: "AwsSolutions-RDS3",
    on: "SourceDb",
    reason: "Single-AZ: the source of a course pipeline, reseeded by `deno task db:seed`",
  },
  {
    id: "AwsSolutions-RDS10",
    on: "SourceDb",
    reason: "`aws:destroy` must remove it (a final snapshot is kept)",
  },
  {
    id: "AwsSolutions-RDS11",
    on: "SourceDb",
    reason: "MySQL's default port: the clients (mysql2, Spark JDBC) and the profile expect 3306; " +
      "the instance is in private subnets behind a security group",
  },
  {
    id: "AwsSolutions-SMG4",
    reason: "The generated database password is not rotated: a rotation Lambda for a course " +
      "deployment destroyed after use",
  },
  {
    id: "AwsSolutions-S1",
    reason: "No server access logs on the lake and MWAA buckets: one writer each (the sink, the " +
      "deploy), and CloudTrail records the API calls",
  },
];

/**
 * Acknowledges {@linkcode ACKNOWLEDGED} on the stacks; an entry whose construct a stack lacks
 * skips it.
 *
 * @example
 * ```ts ignore
 * suppressFindings({ region: cfg.region, names: cfg.names }, base, services);
 * ```
 */
export function suppressFindings(
  context: { region: string; names: Names },
  ...stacks: Stack[]
): void {
  for (const stack of stacks) {
    const fill = (finding: string) =>
      finding.replace(/\{(\w+)\}/g, (_, key: string) => {
        const values: Record<string, string> = {
          region: context.region,
          userId: context.names.userId,
          mskCluster: context.names.aws.mskCluster,
          mwaaEnvironment: context.names.aws.mwaaEnvironment,
        };
        if (key in values) return values[key];
        const child = stack.node.tryFindChild(key)?.node.defaultChild as CfnElement | undefined;
        return child ? stack.getLogicalId(child) : `{${key}}`;
      });
    for (const { id, reason, on, appliesTo } of ACKNOWLEDGED) {
      const target = on === undefined ? stack : stack.node.tryFindChild(on);
      if (!target) continue;
      const ids = appliesTo ? appliesTo.map((a) => `${id}[${fill(a)}]`) : [id];
      for (const one of ids) Validations.of(target).acknowledge({ id: one, reason });
    }
  }
}
