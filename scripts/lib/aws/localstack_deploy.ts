/**
 * The deployment, really deployed to LocalStack: its stacks bootstrapped and deployed by the CDK
 * CLI, MWAA's files uploaded, and the outputs written as an aws profile file in which Kafka is the
 * local broker (LocalStack runs no MSK), the database the local MariaDB (nor RDS), and the API
 * LocalStack's own API Gateway, whose topic route forwards to the local REST proxy.
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { runCdk } from "./cdk_cli.ts";
import { deployStacks, profileLines, type StackOutputs } from "./deploy.ts";
import { LOCALSTACK_CREDENTIALS, LOCALSTACK_URL } from "./localstack.ts";
import { OUTPUTS } from "./outputs.ts";
import { appInputs, synthesize, type Synthesized } from "./synth.ts";
import type { Config } from "../core/config.ts";

/** LocalStack's account id. */
export const LOCALSTACK_ACCOUNT = "000000000000";

/** What a LocalStack deployment leaves. */
export interface LocalstackDeployment {
  /** The synthesized assembly it deployed (for a destroy). */
  synthesized: Synthesized;
  outputs: StackOutputs;
  /** The aws profile file it wrote (PIPELINE_AWS_OUTPUTS for the aws profile's tasks). */
  profileFile: string;
  /** The API's URL on LocalStack's gateway. */
  apiUrl: string;
  /** Seconds: bootstrap, deploy of both stacks. */
  seconds: { bootstrap: number; deploy: number };
}

/**
 * The environment the CLI and SDK clients need to talk to LocalStack and nothing else.
 *
 * @example
 * ```ts
 * import { localstackAwsEnv } from "./localstack_deploy.ts";
 * localstackAwsEnv("us-east-1").AWS_ENDPOINT_URL; // "http://127.0.0.1:4566"
 * ```
 */
export function localstackAwsEnv(region: string): Record<string, string> {
  return {
    ...LOCALSTACK_CREDENTIALS,
    AWS_ENDPOINT_URL: LOCALSTACK_URL,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_PROFILE: "",
    AWS_SESSION_TOKEN: "",
    CDK_DEFAULT_ACCOUNT: LOCALSTACK_ACCOUNT,
    CDK_DEFAULT_REGION: region,
  };
}

/**
 * The invoke URL of a REST API on LocalStack's gateway (path form: no DNS needed).
 *
 * @example
 * ```ts
 * import { localstackApiUrl } from "./localstack_deploy.ts";
 * localstackApiUrl("abc123", "test"); // "http://127.0.0.1:4566/restapis/abc123/test/_user_request_"
 * ```
 */
export function localstackApiUrl(restApiId: string, stage: string): string {
  return `${LOCALSTACK_URL}/restapis/${restApiId}/${stage}/_user_request_`;
}

/**
 * Bootstraps and deploys to a running LocalStack. `ctx` is the aws profile's context (its
 * config names and ports), `local` the local profile's (its broker, database and REST proxy).
 *
 * @example
 * ```ts ignore
 * const d = await deployToLocalstack(awsCtx, localCfg);
 * // PIPELINE_PROFILE=aws PIPELINE_AWS_OUTPUTS=<d.profileFile> deno task emulate:stream
 * ```
 */
export async function deployToLocalstack(
  ctx: StackContext,
  local: Config,
  opts: { quiet?: boolean } = {},
): Promise<LocalstackDeployment> {
  const region = ctx.cfg.region;
  const env = localstackAwsEnv(region);
  const syn = await synthesize(
    await appInputs(ctx, {
      restProxyHost: `${local.stack.host}:${local.stack.ports.rest_proxy}`,
      // LocalStack's CloudFormation has no AllocationId for the NAT gateway's Elastic IP.
      settings: { natGateways: 0 },
    }),
  );
  const t0 = performance.now();
  await runCdk(["bootstrap", `aws://${LOCALSTACK_ACCOUNT}/${region}`], {
    versions: ctx.versions,
    assembly: syn.assembly,
    env,
    quiet: true,
  });
  const t1 = performance.now();
  const outputs = await deployStacks(syn, ctx.versions, {
    kind: "localstack",
    env,
    endpoint: LOCALSTACK_URL,
    bootstrapServers: local.kafka.brokers.join(","),
    quiet: opts.quiet,
  });
  const t2 = performance.now();
  const apiUrl = localstackApiUrl(outputs[OUTPUTS.base.restApiId], outputs[OUTPUTS.base.apiStage]);
  const profileFile = `${ctx.cfg.stateDir}/aws/localstack-outputs.env`;
  await Deno.writeTextFile(
    profileFile,
    profileLines(outputs, region, {
      PIPELINE_API_URL: apiUrl,
      PIPELINE_KINESIS_ENDPOINT: LOCALSTACK_URL,
      PIPELINE_KAFKA_BROKERS: local.kafka.brokers.join(","),
      PIPELINE_KAFKA_AUTH: "none",
      PIPELINE_MYSQL_HOST: local.mysql.host,
      PIPELINE_MYSQL_PORT: String(local.mysql.port),
      PIPELINE_MYSQL_USER: local.mysql.user,
      // The local MariaDB's generated password (from the state directory, as the local profile reads it).
      ...(local.mysql.password ? { PIPELINE_MYSQL_PASSWORD: local.mysql.password } : {}),
    }) + "\n",
    { mode: 0o600 },
  );
  return {
    synthesized: syn,
    outputs,
    profileFile,
    apiUrl,
    seconds: { bootstrap: (t1 - t0) / 1000, deploy: (t2 - t1) / 1000 },
  };
}
