/**
 * `airflow standalone` in the foreground for people who want to look: scheduler, triggerer and
 * UI on 127.0.0.1, stopped with everything it started.
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { airflowBin } from "../stack/services/airflow.ts";
import { portFree, portHolder } from "../stack/ports.ts";
import { runUntilStopped, spawnSession } from "../stack/session.ts";
import { airflowEnv, checkAirflowInstalled, ensureAirflowDb } from "./airflow.ts";

/** Ports of `airflow standalone`: the UI and the two log servers beside it. */
export function standalonePorts(web: number): Record<string, number> {
  return { "the UI": web, "the worker log server": web + 1, "the triggerer log server": web + 2 };
}

/** Throws naming the holder when a port `airflow standalone` needs is taken. */
export async function checkStandalonePorts(web: number): Promise<void> {
  for (const [what, port] of Object.entries(standalonePorts(web))) {
    if (portFree("127.0.0.1", port)) continue;
    const holder = await portHolder(port);
    throw new Error(
      `Cannot start Airflow: port ${port} (${what}) is taken by ` +
        (holder ? `pid ${holder.pid} (${holder.command})` : "another process") +
        "; set PIPELINE_AIRFLOW_PORT to a free port (Airflow takes it and the next two)",
    );
  }
}

/**
 * Runs `airflow standalone` (scheduler, triggerer, UI on 127.0.0.1:`port`) in the foreground
 * until it exits; Ctrl-C (or SIGTERM) stops it cleanly. Resolves to its exit code.
 */
export async function standalone(ctx: StackContext, port: number): Promise<number> {
  await checkAirflowInstalled(ctx);
  await checkStandalonePorts(port);
  await ensureAirflowDb(ctx);
  // In a session (and process group) of its own: Ctrl-C reaches only us, and we stop every
  // part of Airflow (scheduler, webserver, gunicorn workers, triggerer) by that group's id:
  // SIGINT would stop standalone alone, and only if its parent did not ignore SIGINT (as a
  // background shell does); SIGTERM to the group stops each part with its own handler.
  const child = spawnSession(airflowBin(ctx), ["standalone"], {
    env: airflowEnv(ctx, {
      AIRFLOW__WEBSERVER__WEB_SERVER_HOST: "127.0.0.1",
      AIRFLOW__WEBSERVER__WEB_SERVER_PORT: String(port),
      AIRFLOW__WEBSERVER__WORKERS: "2",
      // Airflow 2.10 binds these two on every interface; no setting changes that.
      AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: String(port + 1),
      AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: String(port + 2),
    }),
    clearEnv: true,
  });
  return await runUntilStopped(child, "Airflow");
}
