/**
 * A small client of the Kafka Connect REST API: put a connector's config, read its status,
 * restart what failed, wait until it runs.
 *
 * @module
 */
import { networkReason } from "../core/http.ts";
import { waitFor } from "../core/time.ts";

/** State of a connector or task as Connect reports it. */
export interface WorkerState {
  state: "UNASSIGNED" | "RUNNING" | "PAUSED" | "FAILED" | "RESTARTING" | "STOPPED";
  worker_id: string;
  trace?: string;
}

/** `GET /connectors/<name>/status`. */
export interface ConnectorStatus {
  name: string;
  connector: WorkerState;
  tasks: (WorkerState & { id: number })[];
  type?: string;
}

/** A connector that reached FAILED; its status carries the traces. */
export class ConnectorFailedError extends Error {
  constructor(readonly status: ConnectorStatus) {
    const failed = [
      ...(status.connector.state === "FAILED" ? ["the connector"] : []),
      ...status.tasks.filter((t) => t.state === "FAILED").map((t) => `task ${t.id}`),
    ];
    super(
      `Connector ${status.name} failed (${failed.join(", ")}): ${firstLine(status)}; ` +
        "fix the cause and re-run `deno task setup-connector`, which restarts failed tasks",
    );
    this.name = "ConnectorFailedError";
  }
}

function firstLine(s: ConnectorStatus): string {
  const trace = s.connector.trace ?? s.tasks.find((t) => t.trace)?.trace ?? "no trace";
  return trace.split("\n")[0];
}

/** Calls the Connect REST API; a refused connection becomes an error saying what to start. */
async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new Error(
      `Cannot reach Kafka Connect at ${base}: ${networkReason(e)}; ` +
        "start it with `deno task stack:up`",
    );
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  if (res.status >= 400 && res.status !== 404) {
    const message = (json as { message?: string })?.message ?? text;
    throw new Error(`Kafka Connect at ${base} refused ${method} ${path}: ${res.status} ${message}`);
  }
  return { status: res.status, json };
}

/**
 * The config a connector runs with, or undefined when there is no such connector.
 *
 * @example
 * ```ts ignore
 * await connectorConfig("http://127.0.0.1:8083", "0a1b2c3d4e5f-s3-sink");
 * ```
 */
export async function connectorConfig(
  base: string,
  name: string,
): Promise<Record<string, string> | undefined> {
  const r = await call(base, "GET", `/connectors/${encodeURIComponent(name)}/config`);
  return r.status === 404 ? undefined : r.json as Record<string, string>;
}

/**
 * Creates or replaces a connector's config. Resolves to whether it was created.
 *
 * @example
 * ```ts ignore
 * await putConnectorConfig(cfg.connectUrl!, connectorName(cfg), sinkConfig(cfg));
 * ```
 */
export async function putConnectorConfig(
  base: string,
  name: string,
  config: Record<string, string>,
): Promise<"created" | "updated"> {
  const r = await call(base, "PUT", `/connectors/${encodeURIComponent(name)}/config`, config);
  return r.status === 201 ? "created" : "updated";
}

/**
 * Deletes a connector (its committed offsets stay in its consumer group). Resolves to whether
 * there was one.
 *
 * @example
 * ```ts ignore
 * await deleteConnector(cfg.connectUrl!, connectorName(cfg));
 * ```
 */
export async function deleteConnector(base: string, name: string): Promise<boolean> {
  const r = await call(base, "DELETE", `/connectors/${encodeURIComponent(name)}`);
  return r.status !== 404;
}

/**
 * A connector's status, or undefined when it does not exist (yet).
 *
 * @example
 * ```ts ignore
 * (await connectorStatus(cfg.connectUrl!, connectorName(cfg)))?.connector.state; // "RUNNING"
 * ```
 */
export async function connectorStatus(
  base: string,
  name: string,
): Promise<ConnectorStatus | undefined> {
  const r = await call(base, "GET", `/connectors/${encodeURIComponent(name)}/status`);
  return r.status === 404 ? undefined : r.json as ConnectorStatus;
}

/**
 * Restarts the failed parts of a connector (the connector itself and/or its tasks).
 *
 * @example
 * ```ts ignore
 * await restartFailed(cfg.connectUrl!, connectorName(cfg));
 * ```
 */
export async function restartFailed(base: string, name: string): Promise<void> {
  await call(
    base,
    "POST",
    `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=true`,
  );
}

/** True when the connector and all its (at least one) tasks run. */
export function isRunning(s: ConnectorStatus | undefined): boolean {
  return s !== undefined && s.connector.state === "RUNNING" && s.tasks.length > 0 &&
    s.tasks.every((t) => t.state === "RUNNING");
}

/** True when the connector or any task has FAILED. */
export function hasFailed(s: ConnectorStatus | undefined): boolean {
  return s !== undefined &&
    (s.connector.state === "FAILED" || s.tasks.some((t) => t.state === "FAILED"));
}

/**
 * Polls until the connector and its tasks are RUNNING. Throws {@linkcode ConnectorFailedError}
 * as soon as something FAILED, and a timeout error naming the last state otherwise.
 *
 * @example
 * ```ts ignore
 * const status = await waitForConnector(cfg.connectUrl!, connectorName(cfg), 30_000);
 * ```
 */
export async function waitForConnector(
  base: string,
  name: string,
  timeoutMs: number,
): Promise<ConnectorStatus> {
  let last: ConnectorStatus | undefined;
  return await waitFor(async () => {
    last = await connectorStatus(base, name);
    if (last && hasFailed(last)) throw new ConnectorFailedError(last);
    return last && isRunning(last) && last;
  }, {
    timeoutMs,
    timeoutError() {
      const state = last
        ? `connector ${last.connector.state}, tasks ${
          last.tasks.map((t) => `${t.id}:${t.state}`).join(" ") || "none"
        }`
        : "not registered";
      return new Error(
        `Connector ${name} is not running after ${timeoutMs / 1000} s (${state}); ` +
          `see the Connect log under the stack's logs directory`,
      );
    },
  });
}
