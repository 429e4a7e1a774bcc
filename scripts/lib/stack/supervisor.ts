/**
 * The supervisor of the local stack, seen from outside: its pid file, the record it keeps of
 * every service it watches (restarts, last exit, given up), and how `up` starts it and `down`
 * stops it. The loop itself is in `supervise.ts`.
 *
 * @module
 */
import type { StackContext } from "./component.ts";
import type { ServiceState } from "./service.ts";
import {
  isAlive,
  type PidRecord,
  readPid,
  rssMiB,
  startDetached,
  stopByPidFile,
} from "./process.ts";

/** When the supervisor gives a service up, and how long it waits before each restart. */
export interface RestartPolicy {
  /** Deaths within `windowMs` after which a service is left down, shown as failed. */
  maxDeaths: number;
  windowMs: number;
  /** Pause before the restart after the n-th death in the window (n from 1). */
  delayMs(deaths: number): number;
}

/**
 * 5 deaths in 2 minutes and the service is left down; the first restart at once (a killed
 * service is back within seconds), then 1, 2, 4 s.
 *
 * @example
 * ```ts
 * import { RESTART_POLICY } from "./supervisor.ts";
 * [1, 2, 3, 4].map((n) => RESTART_POLICY.delayMs(n)); // [0, 1000, 2000, 4000]
 * ```
 */
export const RESTART_POLICY: RestartPolicy = {
  maxDeaths: 5,
  windowMs: 120_000,
  delayMs: (deaths) => deaths <= 1 ? 0 : Math.min(1000 * 2 ** (deaths - 2), 8000),
};

/** What the supervisor remembers of one service. */
export interface Watch {
  restarts: number;
  /** The last death's exit status in words (`killed by SIGKILL`, `exit code 1`). */
  lastExit?: string;
  lastExitAt?: string;
  /** When it died within the policy's window (ISO times). */
  deaths: string[];
  /** Set when the supervisor gave up: when, and the last lines of its log. */
  failed?: { at: string; reason: string; logTail: string };
}

/** The supervisor's record, `<state>/run/supervisor.json`. */
export interface SupervisorState {
  pid: number;
  startedAt: string;
  services: Record<string, Watch>;
}

/** The supervisor's pid file. */
export const supervisorPidFile = (ctx: StackContext): string => ctx.run("supervisor.pid");

/** Its record of the services it watches. */
export const supervisorStateFile = (ctx: StackContext): string => ctx.run("supervisor.json");

/** Its log: one line per restart, with the exit status. */
export const supervisorLog = (ctx: StackContext): string => ctx.log("supervisor.log");

/** Reads the supervisor's record (written by the last supervisor, running or not). */
export async function readSupervisorState(
  ctx: StackContext,
): Promise<SupervisorState | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(supervisorStateFile(ctx)));
  } catch {
    return undefined;
  }
}

/** Writes the record whole (a reader never sees half of it). */
export async function writeSupervisorState(
  ctx: StackContext,
  state: SupervisorState,
): Promise<void> {
  const tmp = `${supervisorStateFile(ctx)}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(state, null, 2) + "\n");
  await Deno.rename(tmp, supervisorStateFile(ctx));
}

/** The running supervisor's pid record, or undefined. */
export async function runningSupervisor(ctx: StackContext): Promise<PidRecord | undefined> {
  const rec = await readPid(supervisorPidFile(ctx));
  return (await isAlive(rec)) ? rec : undefined;
}

/**
 * Starts the supervisor unless one runs for this state directory (`up` calls it). It runs
 * `scripts/stack.ts supervise` with this environment, so it sees the same ports.
 */
export async function ensureSupervisor(ctx: StackContext): Promise<PidRecord> {
  const lock = await Deno.open(ctx.run("supervisor.lock"), { create: true, write: true });
  try {
    await lock.lock(true);
    const running = await runningSupervisor(ctx);
    if (running) return running;
    return await startDetached(
      {
        cmd: [Deno.execPath(), "run", "-P=stack", `${ctx.cfg.root}/scripts/stack.ts`, "supervise"],
        cwd: ctx.cfg.root,
        env: { NO_COLOR: "1", PIPELINE_USER_ID: ctx.cfg.userId },
      },
      supervisorLog(ctx),
      supervisorPidFile(ctx),
    );
  } finally {
    lock.close();
  }
}

/** Stops the supervisor, first thing of `down`, so nothing it watches comes back. */
export function stopSupervisor(ctx: StackContext): Promise<boolean> {
  return stopByPidFile(supervisorPidFile(ctx), 30);
}

/**
 * What `stack:up` and `stack:status` print under the table: the supervisor's line, the resident
 * memory of the running services and the supervisor together, and every failed service with the
 * reason and the tail of its log.
 */
export async function supervisionReport(
  ctx: StackContext,
  states: Pick<ServiceState, "name" | "title" | "failed" | "rssMiB">[],
): Promise<string> {
  const sup = await runningSupervisor(ctx);
  const supMiB = sup ? await rssMiB(sup.pid) ?? 0 : 0;
  const running = states.filter((s) => s.rssMiB !== undefined);
  const servicesMiB = running.reduce((sum, s) => sum + s.rssMiB!, 0);
  const mib = (n: number) => n.toLocaleString("en-US");
  const lines = [
    sup
      ? `Supervisor: pid ${sup.pid}, since ${sup.startedAt}; restarts in ${supervisorLog(ctx)}`
      : "Supervisor: not running, so a service that dies stays down; `deno task stack:up` starts it",
    `Memory: ${mib(servicesMiB + supMiB)} MiB resident in all (${running.length} running ` +
    `service${running.length === 1 ? "" : "s"} ${mib(servicesMiB)} MiB, supervisor ${
      mib(supMiB)
    } MiB)`,
  ];
  for (const s of states) {
    if (!s.failed) continue;
    lines.push(
      `\n✘ ${s.title} failed: ${s.failed.reason} (at ${s.failed.at}); left down until ` +
        `\`deno task stack:up\`. Last lines of ${ctx.log(`${s.name}.log`)}:\n${s.failed.logTail}`,
    );
  }
  return lines.join("\n");
}
