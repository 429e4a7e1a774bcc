/**
 * What the AWS deployment builds, from `profiles.aws.deploy` of `pipeline.yaml`: the VPC, the
 * MSK mode and size, the MSK Connect plugin, the instance sizes, MWAA and Databricks. Names come
 * from the profile's user id (scripts/lib/core/names.ts), never from here.
 *
 * @module
 */
import { parse } from "yaml";
import { type Config, ConfigError } from "../core/config.ts";

/** Where the MSK Connect plugin comes from. */
export type ConnectPlugin =
  /** The Confluent S3 sink zip at `s3Key` of the lake bucket (uploaded by hand first). */
  | { source: "confluent"; s3Key: string }
  /** Our plugin (stack/connect-s3-sink) from the install cache, uploaded as a CDK asset. */
  | { source: "ours" };

/** The deployment's settings. */
export interface DeploySettings {
  /** An existing VPC to use, or undefined for a new one. */
  vpcId?: string;
  /** NAT gateways of a new VPC (0: isolated private subnets). */
  natGateways: number;
  msk: {
    mode: "provisioned" | "serverless";
    kafkaVersion: string;
    brokerInstanceType: string;
    brokers: number;
  };
  connectPlugin: ConnectPlugin;
  restProxy: { instanceType: string };
  rds: { instanceType: string; engineVersion: string; allocatedStorageGiB: number };
  mwaa: { airflowVersion: string; environmentClass: string };
  /** The Databricks account id (external id of the cross-account role), if known. */
  databricksAccountId?: string;
}

type Raw = Record<string, unknown>;

/**
 * Reads `profiles.aws.deploy` from a parsed `pipeline.yaml` (pure; `file` names it in errors).
 *
 * @example
 * ```ts
 * import { parseDeploySettings } from "./settings.ts";
 * const s = parseDeploySettings({ profiles: { aws: { deploy: { msk: { mode: "serverless" } } } } }, "p.yaml");
 * s.msk.mode; // "serverless"
 * s.connectPlugin.source; // "confluent"
 * ```
 */
export function parseDeploySettings(doc: unknown, file: string): DeploySettings {
  const at = (key: string) => `profiles.aws.deploy.${key}`;
  const object = (x: unknown, key: string): Raw => {
    if (x === undefined || x === null) return {};
    if (typeof x !== "object" || Array.isArray(x)) {
      throw new ConfigError(file, key, `must be a mapping, got ${JSON.stringify(x)}`);
    }
    return x as Raw;
  };
  const str = (x: unknown, key: string, fallback: string): string => {
    if (x === undefined || x === null) return fallback;
    if (typeof x !== "string" || !x) {
      throw new ConfigError(file, key, `must be a non-empty string, got ${JSON.stringify(x)}`);
    }
    return x;
  };
  const count = (x: unknown, key: string, fallback: number, min = 1): number => {
    if (x === undefined) return fallback;
    if (typeof x !== "number" || !Number.isInteger(x) || x < min) {
      throw new ConfigError(file, key, `must be an integer >= ${min}, got ${JSON.stringify(x)}`);
    }
    return x;
  };
  const oneOf = <T extends string>(x: unknown, allowed: readonly T[], key: string): T => {
    const v = x ?? allowed[0];
    if (!allowed.includes(v as T)) {
      throw new ConfigError(
        file,
        key,
        `must be one of ${allowed.join(", ")}, got ${JSON.stringify(x)}`,
      );
    }
    return v as T;
  };

  const profiles = object(object(doc, "(document)").profiles, "profiles");
  const d = object(object(profiles.aws, "profiles.aws").deploy, "profiles.aws.deploy");
  const msk = object(d.msk, at("msk"));
  const plugin = object(d.connect_plugin, at("connect_plugin"));
  const proxy = object(d.rest_proxy, at("rest_proxy"));
  const rds = object(d.rds, at("rds"));
  const mwaa = object(d.mwaa, at("mwaa"));
  const databricks = object(d.databricks, at("databricks"));

  const vpcId = d.vpc_id || undefined;
  if (vpcId !== undefined && !/^vpc-[0-9a-f]+$/.test(String(vpcId))) {
    throw new ConfigError(
      file,
      at("vpc_id"),
      `must be empty or vpc-..., got ${JSON.stringify(vpcId)}`,
    );
  }
  const source = oneOf(plugin.source, ["confluent", "ours"] as const, at("connect_plugin.source"));
  const accountId = databricks.account_id || undefined;
  return {
    vpcId: vpcId as string | undefined,
    natGateways: count(d.nat_gateways, at("nat_gateways"), 1, 0),
    msk: {
      mode: oneOf(msk.mode, ["provisioned", "serverless"] as const, at("msk.mode")),
      kafkaVersion: str(msk.kafka_version, at("msk.kafka_version"), "3.9.x"),
      brokerInstanceType: str(
        msk.broker_instance_type,
        at("msk.broker_instance_type"),
        "kafka.t3.small",
      ),
      brokers: count(msk.brokers, at("msk.brokers"), 2),
    },
    connectPlugin: source === "ours" ? { source } : {
      source,
      s3Key: str(plugin.s3_key, at("connect_plugin.s3_key"), "kafka-connect-s3/confluent.zip"),
    },
    restProxy: {
      instanceType: str(proxy.instance_type, at("rest_proxy.instance_type"), "t3.micro"),
    },
    rds: {
      instanceType: str(rds.instance_type, at("rds.instance_type"), "t3.micro"),
      engineVersion: str(rds.engine_version, at("rds.engine_version"), "8.4.7"),
      allocatedStorageGiB: count(rds.allocated_storage_gib, at("rds.allocated_storage_gib"), 20),
    },
    mwaa: {
      airflowVersion: str(mwaa.airflow_version, at("mwaa.airflow_version"), "2.10.3"),
      environmentClass: str(mwaa.environment_class, at("mwaa.environment_class"), "mw1.small"),
    },
    databricksAccountId: accountId === undefined ? undefined : String(accountId),
  };
}

/**
 * Reads the deployment settings of a loaded config's file.
 *
 * @example
 * ```ts ignore
 * (await loadDeploySettings(await loadConfig({ profile: "aws" }))).msk.mode; // "provisioned"
 * ```
 */
export async function loadDeploySettings(cfg: Config): Promise<DeploySettings> {
  return parseDeploySettings(parse(await Deno.readTextFile(cfg.file)), cfg.file);
}
