/**
 * The stacks' outputs, named once, and how they become the aws profile: `KEY=value` lines of the
 * git-ignored outputs file (`awsOutputsFile` of scripts/lib/core/config.ts), which `loadConfig`
 * reads under the aws profile.
 *
 * @module
 */
import type { Kind } from "../core/names.ts";

/** CloudFormation output names, by stack and meaning. */
export const OUTPUTS = {
  base: {
    apiUrl: "ApiUrl",
    restApiId: "RestApiId",
    apiStage: "ApiStage",
    bucket: "LakeBucket",
    mwaaBucket: "MwaaBucket",
    dbEndpoint: "DbEndpoint",
    dbPort: "DbPort",
    dbSecretArn: "DbSecretArn",
    mskClusterArn: "MskClusterArn",
    restProxyHost: "RestProxyHost",
    databricksInstanceProfileArn: "DatabricksInstanceProfileArn",
  },
  streams: { pin: "StreamPin", geo: "StreamGeo", user: "StreamUser" } as Record<Kind, string>,
  services: {
    connectorArn: "ConnectorArn",
    mwaaEnvironment: "MwaaEnvironment",
    mwaaWebserverUrl: "MwaaWebserverUrl",
  },
} as const;
