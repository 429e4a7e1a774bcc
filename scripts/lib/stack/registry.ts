/**
 * Every component of the local stack, in start order.
 *
 * @module
 */
import type { Component, Service } from "./component.ts";
import { api } from "./services/api.ts";
import { awsTools } from "./services/aws_tools.ts";
import { airflow } from "./services/airflow.ts";
import { chromium } from "./services/chromium.ts";
import { connect } from "./services/connect.ts";
import { kafka } from "./services/kafka.ts";
import { kinesis } from "./services/kinesis.ts";
import { mariadb } from "./services/mariadb.ts";
import { jupyter } from "./services/jupyter.ts";
import { minio } from "./services/minio.ts";
import { restProxy } from "./services/rest_proxy.ts";
import { spark } from "./services/spark.ts";
import { sparkConnect } from "./services/spark_connect.ts";
import { sparkKinesis } from "./services/spark_kinesis.ts";

/**
 * Every service of the stack, in dependency order: `stack:up` starts those not `onDemand`,
 * `stack:status` and `stack:down` see them all.
 */
export const SERVICES: Service[] = [
  mariadb,
  minio,
  kinesis,
  kafka,
  restProxy,
  api,
  connect,
  sparkConnect,
];

/** The services a bare `stack:up` starts. */
export const UP_SERVICES: Service[] = SERVICES.filter((s) => !s.onDemand);

/**
 * Everything `stack:install` installs, in install order: the services, then the engines later
 * steps start (the Spark Connect server is built on Spark's install).
 */
export const COMPONENTS: Component[] = [
  ...UP_SERVICES,
  spark,
  sparkConnect,
  sparkKinesis,
  airflow,
  jupyter,
  chromium,
  awsTools,
];

/** The components named `only` (all when empty), failing on an unknown name. */
export function selectComponents<T extends Component>(all: T[], only?: string[]): T[] {
  if (!only?.length) return all;
  const unknown = only.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length) {
    throw new Error(
      `Unknown component ${unknown.join(", ")}: choose from ${all.map((c) => c.name).join(", ")}`,
    );
  }
  return all.filter((c) => only.includes(c.name));
}
