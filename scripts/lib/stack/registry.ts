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
import { sparkKinesis } from "./services/spark_kinesis.ts";

/** Services `stack:up` starts, in dependency order. */
export const SERVICES: Service[] = [mariadb, minio, kinesis, kafka, restProxy, api, connect];

/** Everything `stack:install` installs: the services, then the engines later steps start. */
export const COMPONENTS: Component[] = [
  ...SERVICES,
  spark,
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
