/**
 * The one typed loader of `pipeline.yaml`: profile selection, environment overrides and
 * secrets. Every task, test and notebook gets its settings from {@linkcode loadConfig}.
 *
 * @module
 */
import { parse } from "yaml";
import { checkUserId, type Names, names } from "./names.ts";
import { readDotEnv } from "./dotenv.ts";
import { localSecrets } from "./secrets.ts";
import { REPO_ROOT } from "./paths.ts";

/** Names of the local stack's ports (keys of `stack.ports`). */
export const PORT_NAMES = [
  "mariadb",
  "kafka",
  "kafka_controller",
  "rest_proxy",
  "connect",
  "minio",
  "minio_console",
  "kinesis",
  "api",
  "spark_connect",
] as const;
/** One of {@linkcode PORT_NAMES}. */
export type PortName = typeof PORT_NAMES[number];

/** The resolved configuration of one profile. */
export interface Config {
  /** `local` or `aws`. */
  profile: string;
  /** The file the settings came from. */
  file: string;
  /** Repository root: the repo's own files (stack/, scripts/, sql/) wherever the config file is. */
  root: string;
  userId: string;
  names: Names;
  region: string;
  /** Absolute state directory of the local stack (logs, data, pid files). */
  stateDir: string;
  /** Absolute install cache, outside the checkout. */
  cacheDir: string;
  stack: { host: string; ports: Record<PortName, number> };
  mysql: { host: string; port: number; database: string; user: string; password?: string };
  kafka: {
    brokers: string[];
    partitions: number;
    replicationFactor: number;
    auth: "none" | "iam";
  };
  /** Kafka REST proxy; absent on AWS, where API Gateway fronts the proxy. */
  restProxyUrl?: string;
  /** Kafka Connect REST; absent on AWS, where MSK Connect is configured instead. */
  connectUrl?: string;
  /**
   * The API's invoke URL: locally the gateway's base (it answers on `/<stage>/...` and the bare
   * paths); on AWS the stage URL API Gateway gives.
   */
  apiUrl: string;
  /**
   * The API document the local gateway executes and the emulators read their routes from
   * (PIPELINE_API_DEFINITION or `api_definition`; default the project's `api/openapi.yaml`).
   */
  apiDefinition: string;
  /** API key the gateway accepts and the clients send, when the document asks for one. */
  apiKey?: string;
  s3: {
    endpoint?: string;
    forcePathStyle: boolean;
    accessKeyId?: string;
    secretAccessKey?: string;
    /**
     * The S3 sink's `flush.size`, records per object. Unset: the local sink writes one object
     * per partition at each offset flush, and the MSK Connect config keeps the course's 1.
     */
    flushSize?: number;
  };
  kinesis: { endpoint?: string; shards: number };
}

/** Options of {@linkcode loadConfig}; everything defaults to the environment. */
export interface LoadOptions {
  /** Path of the YAML file (default: PIPELINE_CONFIG or pipeline.yaml at the repo root). */
  file?: string;
  /** Profile (default: PIPELINE_PROFILE or `local`). */
  profile?: string;
  /** Environment to read overrides from (default: Deno.env plus .env). */
  env?: Record<string, string | undefined>;
  /** Variables that win over the environment, e.g. a test's own PIPELINE_USER_ID. */
  overrides?: Record<string, string>;
}

/**
 * The git-ignored file `deno task aws:deploy` writes the deployment's endpoints to, as
 * `KEY=value` lines that the aws profile reads: PIPELINE_AWS_OUTPUTS, or aws-outputs.env at the
 * repository root.
 *
 * @example
 * ```ts
 * awsOutputsFile({ PIPELINE_AWS_OUTPUTS: "/tmp/x.env" }); // "/tmp/x.env"
 * ```
 */
export function awsOutputsFile(env: Record<string, string | undefined>): string {
  return env.PIPELINE_AWS_OUTPUTS || `${REPO_ROOT}/aws-outputs.env`;
}

/** Raised for a config problem; the message names the file and the key. */
export class ConfigError extends Error {
  constructor(file: string, key: string, problem: string) {
    super(`Invalid config ${file}: ${key} ${problem}`);
    this.name = "ConfigError";
  }
}

type Raw = Record<string, unknown>;

/**
 * Loads and validates the configuration of one profile.
 *
 * @example
 * ```ts
 * const cfg = await loadConfig();
 * cfg.names.topics.pin; // "0a1b2c3d4e5f.pin"
 * ```
 */
export async function loadConfig(opts: LoadOptions = {}): Promise<Config> {
  const given = opts.env ?? { ...(await readDotEnv(`${REPO_ROOT}/.env`)), ...Deno.env.toObject() };
  // The outputs of `deno task aws:deploy` fill in the aws profile; .env and the environment win.
  const outputs = (opts.profile ?? given.PIPELINE_PROFILE) === "aws"
    ? await readDotEnv(awsOutputsFile(given))
    : {};
  const env = { ...outputs, ...given, ...opts.overrides };
  const file = opts.file ?? env.PIPELINE_CONFIG ?? `${REPO_ROOT}/pipeline.yaml`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new Error(
      `Cannot read config ${file}: ${(e as Error).message}; set PIPELINE_CONFIG to its path`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ConfigError(file, "(document)", `is not valid YAML: ${(e as Error).message}`);
  }
  const cfg = resolveConfig(doc, file, opts.profile ?? env.PIPELINE_PROFILE ?? "local", env);
  if (cfg.profile === "local") {
    const secrets = await localSecrets(cfg.stateDir);
    cfg.mysql.password ??= secrets.mysqlPassword;
    cfg.s3.accessKeyId ??= secrets.s3AccessKey;
    cfg.s3.secretAccessKey ??= secrets.s3SecretKey;
  }
  return cfg;
}

/** Validates a parsed document and applies environment overrides (pure; exported for tests). */
export function resolveConfig(
  doc: unknown,
  file: string,
  profile: string,
  env: Record<string, string | undefined>,
): Config {
  const v = new Validator(file);
  const top = v.object(doc, "(document)");
  const profiles = v.object(top.profiles, "profiles");
  if (!(profile in profiles)) {
    throw new ConfigError(
      file,
      "profiles",
      `has no profile ${JSON.stringify(profile)} (known: ${
        Object.keys(profiles).join(", ")
      }); check PIPELINE_PROFILE`,
    );
  }
  const p = v.object(profiles[profile], `profiles.${profile}`);
  const at = (k: string) => `profiles.${profile}.${k}`;

  const userId = env.PIPELINE_USER_ID || top.user_id;
  const idProblem = checkUserId(userId);
  if (idProblem) {
    throw new ConfigError(file, env.PIPELINE_USER_ID ? "PIPELINE_USER_ID" : "user_id", idProblem);
  }

  const stackRaw = v.object(top.stack ?? {}, "stack");
  // The REST proxy host of the AWS deployment listens on every interface of its instance.
  const host = v.string(env.PIPELINE_STACK_HOST || (stackRaw.host ?? "127.0.0.1"), "stack.host");
  const portsRaw = v.object(stackRaw.ports ?? {}, "stack.ports");
  const ports = {} as Record<PortName, number>;
  for (const name of PORT_NAMES) {
    const envKey = `PIPELINE_PORT_${name.toUpperCase()}`;
    ports[name] = env[envKey]
      ? v.port(Number(env[envKey]), envKey)
      : v.port(portsRaw[name], `stack.ports.${name}`);
  }
  const seen = new Map<number, string>();
  for (const name of PORT_NAMES) {
    const other = seen.get(ports[name]);
    if (other) throw new ConfigError(file, `stack.ports.${name}`, `reuses port of ${other}`);
    seen.set(ports[name], name);
  }

  const local = profile === "local";
  const url = (port: number) => `http://${host}:${port}`;
  const mysqlRaw = v.object(p.mysql ?? {}, at("mysql"));
  const kafkaRaw = v.object(p.kafka ?? {}, at("kafka"));
  const kinesisRaw = v.object(p.kinesis ?? {}, at("kinesis"));
  const s3Raw = v.object(p.s3 ?? {}, at("s3"));

  const brokersEnv = env.PIPELINE_KAFKA_BROKERS?.split(",").map((s) => s.trim()).filter(Boolean);
  const brokers = brokersEnv ??
    (kafkaRaw.brokers === undefined && local
      ? [`${host}:${ports.kafka}`]
      : v.stringList(kafkaRaw.brokers, at("kafka.brokers")));
  const auth = v.oneOf(
    env.PIPELINE_KAFKA_AUTH || (kafkaRaw.auth ?? "none"),
    ["none", "iam"] as const,
    env.PIPELINE_KAFKA_AUTH ? "PIPELINE_KAFKA_AUTH" : at("kafka.auth"),
  );

  const endpoint = (envKey: string, key: string, derived: string | undefined) => {
    const value = env[envKey] || p[key] || (local ? derived : undefined);
    if (value === undefined) {
      throw new ConfigError(file, at(key), `is required in profile ${profile} (or set ${envKey})`);
    }
    return v.string(value, at(key));
  };

  const optional = (envKey: string, key: string, derived: string) => {
    const value = env[envKey] || p[key] || (local ? derived : undefined);
    return value === undefined ? undefined : v.string(value, at(key));
  };

  const stateDir = absolute(
    env.PIPELINE_STATE_DIR ?? v.string(top.state_dir ?? ".state", "state_dir"),
    file,
  );
  const home = env.HOME ?? "/root";
  const cacheDir = env.PIPELINE_CACHE_DIR ??
    `${env.XDG_CACHE_HOME || `${home}/.cache`}/pinterest-pipeline`;

  const s3Endpoint = env.PIPELINE_S3_ENDPOINT ?? (s3Raw.endpoint as string | undefined) ??
    (local ? url(ports.minio) : undefined);
  const kinesisEndpoint = env.PIPELINE_KINESIS_ENDPOINT ??
    (kinesisRaw.endpoint as string | undefined) ?? (local ? url(ports.kinesis) : undefined);

  return {
    profile,
    file,
    root: REPO_ROOT,
    userId: userId as string,
    names: names(userId as string),
    region: v.string(env.AWS_REGION ?? p.region ?? "us-east-1", at("region")),
    stateDir,
    cacheDir,
    stack: { host, ports },
    mysql: {
      host: env.PIPELINE_MYSQL_HOST ??
        v.string(mysqlRaw.host ?? (local ? host : undefined), at("mysql.host")),
      port: env.PIPELINE_MYSQL_PORT
        ? v.port(Number(env.PIPELINE_MYSQL_PORT), "PIPELINE_MYSQL_PORT")
        : v.port(mysqlRaw.port ?? (local ? ports.mariadb : undefined), at("mysql.port")),
      database: v.string(mysqlRaw.database ?? "pinterest_data", at("mysql.database")),
      user: env.PIPELINE_MYSQL_USER ?? v.string(mysqlRaw.user, at("mysql.user")),
      password: env.PIPELINE_MYSQL_PASSWORD || undefined,
    },
    kafka: {
      brokers,
      partitions: v.positiveInt(kafkaRaw.partitions ?? 1, at("kafka.partitions")),
      replicationFactor: v.positiveInt(
        kafkaRaw.replication_factor ?? 1,
        at("kafka.replication_factor"),
      ),
      auth,
    },
    restProxyUrl: optional("PIPELINE_REST_PROXY_URL", "rest_proxy_url", url(ports.rest_proxy)),
    connectUrl: optional("PIPELINE_CONNECT_URL", "connect_url", url(ports.connect)),
    apiUrl: endpoint("PIPELINE_API_URL", "api_url", url(ports.api)),
    apiDefinition: absolute(
      env.PIPELINE_API_DEFINITION ??
        v.string(top.api_definition ?? `${REPO_ROOT}/api/openapi.yaml`, "api_definition"),
      file,
    ),
    apiKey: env.PIPELINE_API_KEY || undefined,
    s3: {
      endpoint: s3Endpoint ? v.string(s3Endpoint, at("s3.endpoint")) : undefined,
      forcePathStyle: local || s3Raw.force_path_style === true,
      accessKeyId: env.PIPELINE_S3_ACCESS_KEY || undefined,
      secretAccessKey: env.PIPELINE_S3_SECRET_KEY || undefined,
      flushSize: env.PIPELINE_S3_FLUSH_SIZE
        ? v.positiveInt(Number(env.PIPELINE_S3_FLUSH_SIZE), "PIPELINE_S3_FLUSH_SIZE")
        : s3Raw.flush_size === undefined
        ? undefined
        : v.positiveInt(s3Raw.flush_size, at("s3.flush_size")),
    },
    kinesis: {
      endpoint: kinesisEndpoint ? v.string(kinesisEndpoint, at("kinesis.endpoint")) : undefined,
      shards: v.positiveInt(kinesisRaw.shards ?? 1, at("kinesis.shards")),
    },
  };
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (path.startsWith("/") ? "/" : Deno.cwd()) : path.slice(0, i);
}

function absolute(path: string, relativeTo: string): string {
  return path.startsWith("/") ? path : `${dirname(relativeTo)}/${path}`;
}

/** Small typed checks that name the key and the file when they fail. */
class Validator {
  constructor(private file: string) {}
  fail(key: string, problem: string): never {
    throw new ConfigError(this.file, key, problem);
  }
  object(x: unknown, key: string): Raw {
    if (x === null || typeof x !== "object" || Array.isArray(x)) {
      this.fail(key, `must be a mapping, got ${describe(x)}`);
    }
    return x as Raw;
  }
  string(x: unknown, key: string): string {
    if (typeof x !== "string" || x === "") {
      this.fail(key, `must be a non-empty string, got ${describe(x)}`);
    }
    return x;
  }
  stringList(x: unknown, key: string): string[] {
    if (!Array.isArray(x) || x.length === 0 || x.some((s) => typeof s !== "string" || !s)) {
      this.fail(key, `must be a non-empty list of strings, got ${describe(x)}`);
    }
    return x as string[];
  }
  positiveInt(x: unknown, key: string): number {
    if (typeof x !== "number" || !Number.isInteger(x) || x < 1) {
      this.fail(key, `must be a positive integer, got ${describe(x)}`);
    }
    return x;
  }
  port(x: unknown, key: string): number {
    if (typeof x !== "number" || !Number.isInteger(x) || x < 1 || x > 65535) {
      this.fail(key, `must be a port number 1-65535, got ${describe(x)}`);
    }
    return x;
  }
  oneOf<T extends string>(x: unknown, allowed: readonly T[], key: string): T {
    if (!allowed.includes(x as T)) {
      this.fail(key, `must be one of ${allowed.join(", ")}, got ${describe(x)}`);
    }
    return x as T;
  }
}

function describe(x: unknown): string {
  if (x === undefined) return "nothing";
  if (Number.isNaN(x)) return "not a number";
  return JSON.stringify(x);
}
