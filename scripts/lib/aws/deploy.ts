/**
 * Deploying the synthesized stacks with the CDK CLI, in order: `base`; then MWAA's files into
 * its bucket and the MSK brokers looked up; then `services` with those brokers. And the way back:
 * the stacks' outputs as the aws profile's `KEY=value` lines.
 *
 * @module
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetBootstrapBrokersCommand, KafkaClient } from "@aws-sdk/client-kafka";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Versions } from "../stack/versions.ts";
import { KINDS } from "../core/names.ts";
import { runCdk } from "./cdk_cli.ts";
import { mwaaFiles } from "./airflow.ts";
import { OUTPUTS } from "./outputs.ts";
import type { Synthesized } from "./synth.ts";

/** Where the stacks go. */
export interface DeployTarget {
  /** `aws`, or `localstack` (its endpoint, its test credentials). */
  kind: "aws" | "localstack";
  /** Environment of the CLI and of the SDK clients here (region, credentials, endpoints). */
  env: Record<string, string>;
  /** The S3 endpoint when not AWS's. */
  endpoint?: string;
  /** The brokers MSK Connect uses, instead of asking MSK (LocalStack runs no MSK). */
  bootstrapServers?: string;
  /** Keep the CLI's progress to itself (it is in the error when a deploy fails). */
  quiet?: boolean;
}

/** The outputs of both stacks, by output name. */
export type StackOutputs = Record<string, string>;

async function readOutputs(file: string, stack: string): Promise<StackOutputs> {
  const all = JSON.parse(await Deno.readTextFile(file)) as Record<string, StackOutputs>;
  if (!all[stack]) throw new Error(`cdk deploy wrote no outputs of ${stack} to ${file}`);
  return all[stack];
}

function clientOptions(target: DeployTarget, region: string) {
  return target.endpoint
    ? {
      region,
      endpoint: target.endpoint,
      forcePathStyle: true,
      requestHandler: new NodeHttpHandler(),
      credentials: {
        accessKeyId: target.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: target.env.AWS_SECRET_ACCESS_KEY,
      },
    }
    : { region };
}

/** The brokers of the cluster: the target's, or MSK's IAM bootstrap string. */
async function bootstrapServers(target: DeployTarget, region: string, clusterArn: string) {
  if (target.bootstrapServers) return target.bootstrapServers;
  const kafka = new KafkaClient(clientOptions(target, region));
  const res = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  const brokers = res.BootstrapBrokerStringSaslIam;
  if (!brokers) {
    throw new Error(
      `MSK cluster ${clusterArn} has no IAM bootstrap brokers yet (state not ACTIVE?): ` +
        "run `deno task aws:deploy` again when it is",
    );
  }
  return brokers;
}

/**
 * Deploys both stacks and returns their outputs together.
 *
 * @example
 * ```ts ignore
 * const outputs = await deployStacks(await synthesize(inputs), versions, { kind: "aws", env: {} });
 * outputs.ApiUrl; // "https://abc123.execute-api.us-east-1.amazonaws.com/test"
 * ```
 */
export async function deployStacks(
  syn: Synthesized,
  versions: Versions,
  target: DeployTarget,
): Promise<StackOutputs> {
  const { base, services } = syn.app;
  const region = syn.inputs.cfg.region;
  const run = { versions, assembly: syn.assembly, env: target.env, quiet: target.quiet };
  const outFile = `${syn.assembly}/../outputs-${target.kind}.json`;
  const common = ["--require-approval", "never", "--outputs-file", outFile, "--exclusively"];
  await runCdk(["deploy", base.stackName, ...common], run);
  const baseOut = await readOutputs(outFile, base.stackName);

  const s3 = new S3Client(clientOptions(target, region));
  for (const f of await mwaaFiles(syn.inputs.cfg.names)) {
    await s3.send(
      new PutObjectCommand({ Bucket: baseOut[OUTPUTS.base.mwaaBucket], Key: f.key, Body: f.body }),
    );
  }
  const brokers = await bootstrapServers(target, region, baseOut[OUTPUTS.base.mskClusterArn]);
  await runCdk([
    "deploy",
    services.stackName,
    ...common,
    "--parameters",
    `${services.stackName}:BootstrapServers=${brokers}`,
  ], run);
  return { ...baseOut, ...await readOutputs(outFile, services.stackName) };
}

/**
 * Destroys both stacks, services first (it imports the base stack's values). The buckets and a
 * final database snapshot are retained by the stacks themselves.
 *
 * @example
 * ```ts ignore
 * await destroyStacks(syn, versions, { kind: "aws", env: {} });
 * ```
 */
export async function destroyStacks(
  syn: Synthesized,
  versions: Versions,
  target: DeployTarget,
): Promise<void> {
  const stacks = [syn.app.services.stackName, syn.app.base.stackName];
  await runCdk(["destroy", "--force", ...stacks], {
    versions,
    assembly: syn.assembly,
    env: target.env,
    quiet: target.quiet,
  });
}

/**
 * The aws profile's settings from the stacks' outputs, as `loadConfig` reads them: the API's
 * invoke URL, the brokers, the database endpoint. The database password stays in Secrets
 * Manager (its ARN is in a comment). `overrides` replace entries (the LocalStack run's local
 * broker and database).
 *
 * @example
 * ```ts
 * import { profileLines } from "./deploy.ts";
 * profileLines({ ApiUrl: "https://x/test", DbEndpoint: "db", DbPort: "3306" }, "us-east-1", {
 *   PIPELINE_KAFKA_BROKERS: "b-1:9098",
 * }).split("\n").filter((l) => !l.startsWith("#"));
 * // ["AWS_REGION=us-east-1", "PIPELINE_API_URL=https://x/test", "PIPELINE_MYSQL_HOST=db",
 * //  "PIPELINE_MYSQL_PORT=3306", "PIPELINE_KAFKA_BROKERS=b-1:9098"]
 * ```
 */
export function profileLines(
  outputs: StackOutputs,
  region: string,
  overrides: Record<string, string> = {},
): string {
  const entries: Record<string, string | undefined> = {
    AWS_REGION: region,
    PIPELINE_API_URL: outputs[OUTPUTS.base.apiUrl],
    PIPELINE_MYSQL_HOST: outputs[OUTPUTS.base.dbEndpoint],
    PIPELINE_MYSQL_PORT: outputs[OUTPUTS.base.dbPort],
    ...overrides,
  };
  const comments = [
    "# Written by `deno task aws:deploy` from the stacks' outputs; read by the aws profile",
    "# (PIPELINE_PROFILE=aws). The environment and .env win over these lines.",
    `# Database password: aws secretsmanager get-secret-value --secret-id ${
      outputs[OUTPUTS.base.dbSecretArn] ?? "(not deployed)"
    } -> PIPELINE_MYSQL_PASSWORD`,
    `# Lake ${outputs[OUTPUTS.base.bucket] ?? "?"}; streams ${
      KINDS.map((k) => outputs[OUTPUTS.streams[k]] ?? "?").join(", ")
    }; MSK ${outputs[OUTPUTS.base.mskClusterArn] ?? "?"}`,
    `# Databricks instance profile: ${outputs[OUTPUTS.base.databricksInstanceProfileArn] ?? "?"}`,
  ];
  const lines = Object.entries(entries).filter(([, v]) => v !== undefined).map(([k, v]) =>
    `${k}=${v}`
  );
  return [...comments, ...lines].join("\n");
}
