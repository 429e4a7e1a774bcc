/**
 * `airflow standalone` in the foreground for people who want to look: scheduler, triggerer and
 * UI on 127.0.0.1, stopped with everything it started.
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { airflowBin } from "../stack/services/airflow.ts";
import { portFree, portHolder } from "../stack/ports.ts";
import { sleep } from "../core/time.ts";
import {
  airflowEnv,
  airflowHome,
  checkAirflowInstalled,
  dagsFolder,
  ensureAirflowDb,
} from "./airflow.ts";

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
  // part of Airflow (scheduler, webserver, gunicorn workers, triggerer) by that group's id.
  const child = new Deno.Command("setsid", {
    args: [airflowBin(ctx), "standalone"],
    env: airflowEnv(ctx, {
      AIRFLOW__WEBSERVER__WEB_SERVER_HOST: "127.0.0.1",
      AIRFLOW__WEBSERVER__WEB_SERVER_PORT: String(port),
      AIRFLOW__WEBSERVER__WORKERS: "2",
      // Airflow 2.10 binds these two on every interface; no setting changes that.
      AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT: String(port + 1),
      AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT: String(port + 2),
    }),
    clearEnv: true,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // SIGINT would stop standalone alone, and only if its parent did not ignore SIGINT (as a
    // background shell does); SIGTERM to the group stops each part with its own handler.
    Deno.kill(-child.pid, "SIGTERM");
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const s of signals) Deno.addSignalListener(s, stop);
  try {
    const status = await child.status;
    if (!stopping) {
      // standalone exited by itself: leave none of its parts behind.
      try {
        Deno.kill(-child.pid, "SIGTERM");
      } catch {
        // The group is already empty.
      }
    }
    await waitForSession(child.pid, 30_000);
    return stopping ? 0 : status.code;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}

/** Waits until no process is left in session `sid` (ours, from setsid), up to `ms`. */
async function waitForSession(sid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let left = "";
  while (Date.now() < deadline) {
    const out = await new Deno.Command("ps", {
      args: ["-o", "pid=", "-s", String(sid)],
      stdout: "piped",
      stderr: "null",
    }).output();
    left = new TextDecoder().decode(out.stdout).trim();
    if (!left) return;
    await sleep(500);
  }
  console.error(
    `Airflow processes still stopping after ${ms / 1000} s: ${left.split(/\s+/).join(", ")}`,
  );
}
