/**
 * The S3 sink connector of docs/spec.md §4 on the Kafka Connect REST API: our plugin locally, and
 * the equivalent Confluent config for MSK Connect. Registration is a `PUT .../config`, so it is
 * safe to re-run, which matters because a standalone worker forgets REST-created connectors when it
 * restarts.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import {
  connectorConfig,
  type ConnectorStatus,
  connectorStatus,
  hasFailed,
  putConnectorConfig,
  restartFailed,
  waitForConnector,
} from "./connect_rest.ts";
import { KINDS } from "../core/names.ts";
import { ensureBucket, explainS3Error, s3Client } from "./s3.ts";
import { FILE_NAME_TEMPLATE, OFFSET_PAD_WIDTH } from "./object_key.ts";
import { sleep } from "../core/time.ts";

/** Class name of our S3 sink connector (stack/connect-s3-sink), as Connect lists its plugins. */
export const S3_SINK_CLASS = "local.pipeline.connect.s3.S3SinkConnector";

/**
 * Name of the sink connector of a config.
 *
 * @example
 * ```ts ignore
 * connectorName(cfg); // "0a1b2c3d4e5f-s3-sink"
 * ```
 */
export function connectorName(cfg: Config): string {
  return cfg.names.connector;
}

const CONVERTERS = {
  "key.converter": "org.apache.kafka.connect.storage.StringConverter",
  "value.converter": "org.apache.kafka.connect.json.JsonConverter",
  "value.converter.schemas.enable": "false",
};

/**
 * Config of our S3 sink plugin (stack/connect-s3-sink) for the Connect REST API. `flush.size`
 * only when configured (`s3.flush_size`): without it the plugin cuts an object per partition at
 * each offset flush.
 *
 * @example
 * ```ts ignore
 * sinkConfig(cfg)["topics.regex"]; // "0a1b2c3d4e5f\\..*"
 * ```
 */
export function sinkConfig(cfg: Config): Record<string, string> {
  const conf: Record<string, string> = {
    "connector.class": S3_SINK_CLASS,
    "tasks.max": "1",
    "topics.regex": cfg.names.topicsRegex,
    "aws.s3.bucket.name": cfg.names.bucket,
    "aws.s3.region": cfg.region,
    "aws.s3.path.style.access.enabled": String(cfg.s3.forcePathStyle),
    "file.name.template": FILE_NAME_TEMPLATE,
    "filename.offset.zero.pad.width": String(OFFSET_PAD_WIDTH),
    "format.output.type": "jsonl",
    "format.output.fields": "value",
    ...CONVERTERS,
  };
  if (cfg.s3.flushSize) conf["flush.size"] = String(cfg.s3.flushSize);
  if (cfg.s3.endpoint) conf["aws.s3.endpoint"] = cfg.s3.endpoint;
  if (cfg.s3.accessKeyId && cfg.s3.secretAccessKey) {
    conf["aws.access.key.id"] = cfg.s3.accessKeyId;
    conf["aws.secret.access.key"] = cfg.s3.secretAccessKey;
  }
  return conf;
}

/**
 * The equivalent Confluent S3 sink config for MSK Connect, as the course configured it
 * (`flush.size=1` unless `s3.flush_size` says otherwise), with the lake's key padding.
 *
 * @example
 * ```ts ignore
 * console.log(propertiesText(mskSinkConfig(cfg)));
 * ```
 */
export function mskSinkConfig(cfg: Config): Record<string, string> {
  return {
    "connector.class": "io.confluent.connect.s3.S3SinkConnector",
    "s3.region": cfg.region,
    "flush.size": String(cfg.s3.flushSize ?? 1),
    "filename.offset.zero.pad.width": String(OFFSET_PAD_WIDTH),
    "schema.compatibility": "NONE",
    "tasks.max": String(KINDS.length),
    "topics.regex": cfg.names.topicsRegex,
    "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "partitioner.class": "io.confluent.connect.storage.partitioner.DefaultPartitioner",
    "storage.class": "io.confluent.connect.s3.storage.S3Storage",
    "s3.bucket.name": cfg.names.bucket,
    ...CONVERTERS,
  };
}

/**
 * Renders a config as `key=value` lines, the form MSK Connect's console takes.
 *
 * @example
 * ```ts
 * propertiesText({ "flush.size": "1" }); // "flush.size=1"
 * ```
 */
export function propertiesText(conf: Record<string, string>): string {
  // Backslashes stay single: read raw, `\.` is the intended regex; read as Java properties,
  // it degrades to `.`, which still matches the topics. Doubling them would match nothing raw.
  return Object.entries(conf).map(([k, v]) => `${k}=${v}`).join("\n");
}

/**
 * The Kafka Connect REST address of a config, or an error saying what to do on AWS.
 *
 * @example
 * ```ts ignore
 * connectUrl(cfg); // "http://127.0.0.1:8083"
 * ```
 */
export function connectUrl(cfg: Config): string {
  if (!cfg.connectUrl) {
    throw new Error(
      `No Kafka Connect in profile ${cfg.profile}: MSK Connect runs the sink there; print its ` +
        "config with `deno task setup-connector --print-msk-config`, or set PIPELINE_CONNECT_URL",
    );
  }
  return cfg.connectUrl;
}

/** What {@linkcode setupConnector} did. */
export interface ConnectorSetup {
  name: string;
  bucket: "created" | "exists";
  connector: "created" | "updated" | "unchanged" | "restarted";
  status: ConnectorStatus;
}

function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** After a change, the old FAILED state may linger a moment before new tasks report. */
async function settle(base: string, name: string): Promise<void> {
  const until = Date.now() + 5000;
  while (Date.now() < until && hasFailed(await connectorStatus(base, name))) {
    await sleep(250);
  }
}

/**
 * Creates the bucket if missing, registers or updates the S3 sink (restarting failed tasks when
 * the config is unchanged), and waits until the connector and its tasks run. Safe to re-run.
 *
 * @example
 * ```ts ignore
 * const { status } = await setupConnector(cfg);
 * status.connector.state; // "RUNNING"
 * ```
 */
export async function setupConnector(
  cfg: Config,
  opts: { timeoutMs?: number } = {},
): Promise<ConnectorSetup> {
  const base = connectUrl(cfg);
  const s3 = s3Client(cfg);
  let bucket: "created" | "exists";
  try {
    bucket = await ensureBucket(s3, cfg.names.bucket);
  } catch (e) {
    throw explainS3Error(cfg, `create bucket ${cfg.names.bucket}`, e);
  } finally {
    s3.destroy();
  }
  const name = connectorName(cfg);
  const desired = sinkConfig(cfg);
  const current = await connectorConfig(base, name);
  let connector: ConnectorSetup["connector"];
  if (current && sameConfig(current, { ...desired, name })) {
    connector = "unchanged";
    if (hasFailed(await connectorStatus(base, name))) {
      await restartFailed(base, name);
      connector = "restarted";
    }
  } else {
    connector = await putConnectorConfig(base, name, desired);
  }
  if (connector !== "unchanged") await settle(base, name);
  const status = await waitForConnector(base, name, opts.timeoutMs ?? 30_000);
  return { name, bucket, connector, status };
}
