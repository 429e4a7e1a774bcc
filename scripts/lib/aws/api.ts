/**
 * API Gateway built from the API document (api/openapi.yaml) as it is, plus the role its Kinesis
 * integrations assume and the stage the document names, whose variables are the REST proxy's
 * address and the default shard count.
 *
 * @module
 */
import { aws_apigateway as apigw, aws_iam as iam, aws_logs as logs, Stack } from "aws-cdk-lib";
import type { Construct } from "constructs";
import type { aws_kinesis as kinesis } from "aws-cdk-lib";
import type { ApiDocument } from "../api/document.ts";
import { deployableApiBody } from "./api_body.ts";

/** What the API needs from the rest of the deployment. */
export interface PipelineApiProps {
  /** The API's name (names.ts). */
  name: string;
  /** The name of the role its Kinesis integrations assume (names.ts `apiKinesisRole`). */
  roleName: string;
  document: ApiDocument;
  /** The streams the Kinesis integrations may use (and no others). */
  streams: kinesis.IStream[];
  /** `host:port` of the Kafka REST proxy (stage variable `restProxyHost`). */
  restProxyHost: string;
  /** ShardCount of a CreateStream without one (stage variable `shardCount`). */
  shardCount: number;
}

/** The deployed API and the role of its integrations. */
export interface PipelineApi {
  api: apigw.SpecRestApi;
  integrationRole: iam.Role;
  /** The invoke URL: `https://<id>.execute-api.<region>.amazonaws.com/<stage>`, no final slash. */
  invokeUrl: string;
}

/**
 * Creates the role, the REST API from the document's body, and its stage.
 *
 * @example
 * ```ts ignore
 * const { invokeUrl } = pipelineApi(stack, { name, document, streams, restProxyHost, shardCount: 1 });
 * ```
 */
export function pipelineApi(scope: Construct, props: PipelineApiProps): PipelineApi {
  // The same policy as the local gateway's integration role (api/kinesis_integration.ts): reads
  // open, writes to the pipeline's streams only.
  const integrationRole = new iam.Role(scope, "ApiKinesisRole", {
    roleName: props.roleName,
    assumedBy: new iam.ServicePrincipal("apigateway.amazonaws.com"),
    description: "Assumed by the API's Kinesis integrations (api/openapi.yaml)",
  });
  integrationRole.addToPolicy(
    new iam.PolicyStatement({
      actions: ["kinesis:ListStreams", "kinesis:DescribeStream"],
      resources: ["*"],
    }),
  );
  integrationRole.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        "kinesis:CreateStream",
        "kinesis:DeleteStream",
        "kinesis:PutRecord",
        "kinesis:PutRecords",
      ],
      resources: props.streams.map((s) => s.streamArn),
    }),
  );
  const accessLogs = new logs.LogGroup(scope, "ApiAccessLogs", {
    retention: logs.RetentionDays.ONE_MONTH,
  });
  const body = deployableApiBody(props.document.raw, {
    region: Stack.of(scope).region,
    roleArn: integrationRole.roleArn,
  });
  const api = new apigw.SpecRestApi(scope, "Api", {
    restApiName: props.name,
    apiDefinition: apigw.ApiDefinition.fromInline(body),
    cloudWatchRole: true,
    deployOptions: {
      stageName: props.document.stage,
      variables: { restProxyHost: props.restProxyHost, shardCount: String(props.shardCount) },
      accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      loggingLevel: apigw.MethodLoggingLevel.ERROR,
    },
  });
  return {
    api,
    integrationRole,
    invokeUrl: api.deploymentStage.urlForPath("/").replace(/\/$/, ""),
  };
}
