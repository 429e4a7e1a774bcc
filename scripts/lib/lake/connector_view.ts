/**
 * Connector configs and states as table rows, secrets masked, for notebooks and logs that may be
 * committed or shared.
 *
 * @module
 */
import type { ConnectorStatus } from "./connect_rest.ts";

const SECRET = /secret|password|access\.key|session\.token|credentials/i;

/**
 * The config as `{key, value}` rows in its order, the values of secret keys masked.
 *
 * @example
 * ```ts
 * configRows({ "aws.secret.access.key": "abc", "tasks.max": "1" });
 * // [{ key: "aws.secret.access.key", value: "(hidden)" }, { key: "tasks.max", value: "1" }]
 * ```
 */
export function configRows(conf: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(conf).map(([key, value]) => ({
    key,
    value: SECRET.test(key) ? "(hidden)" : value,
  }));
}

/**
 * The connector and each task as `{part, state, worker}` rows.
 *
 * @example
 * ```ts ignore
 * statusRows(status); // [{ part: "connector", state: "RUNNING", ... }, { part: "task 0", ... }]
 * ```
 */
export function statusRows(s: ConnectorStatus): { part: string; state: string; worker: string }[] {
  return [
    { part: "connector", state: s.connector.state, worker: s.connector.worker_id },
    ...s.tasks.map((t) => ({ part: `task ${t.id}`, state: t.state, worker: t.worker_id })),
  ];
}
