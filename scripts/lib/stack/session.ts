/**
 * A foreground program in a session (and process group) of its own, started with `setsid`:
 * Ctrl-C reaches only us, and we stop the program and everything it started (servers, workers,
 * kernels) by that group's id, never by name.
 *
 * @module
 */
import { sleep } from "../core/time.ts";

/** A program running in its own session. */
export interface SessionChild {
  /** The session leader's pid, which is also the session and group id. */
  pid: number;
  status: Promise<Deno.CommandStatus>;
  /** SIGTERMs the whole group (once; later calls do nothing). */
  stop(): void;
  /** True once stop() was called. */
  readonly stopping: boolean;
}

/** Options of {@linkcode spawnSession}. */
export interface SessionOptions {
  env?: Record<string, string>;
  clearEnv?: boolean;
  cwd?: string;
  stdout?: "inherit" | "piped" | "null";
  stderr?: "inherit" | "piped" | "null";
}

/** Starts `cmd args` under setsid. */
export function spawnSession(
  cmd: string,
  args: string[],
  opts: SessionOptions = {},
): SessionChild & { process: Deno.ChildProcess } {
  const process = new Deno.Command("setsid", {
    args: [cmd, ...args],
    env: opts.env,
    clearEnv: opts.clearEnv,
    cwd: opts.cwd,
    stdin: "null",
    stdout: opts.stdout ?? "inherit",
    stderr: opts.stderr ?? "inherit",
  }).spawn();
  let stopping = false;
  return {
    process,
    pid: process.pid,
    status: process.status,
    get stopping() {
      return stopping;
    },
    stop() {
      if (stopping) return;
      stopping = true;
      signalGroup(process.pid, "SIGTERM");
    },
  };
}

/** Sends `signal` to process group `pgid`; a group already empty is not an error. */
export function signalGroup(pgid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pgid, signal);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Pids still in session `sid`. */
export async function sessionPids(sid: number): Promise<number[]> {
  const out = await new Deno.Command("ps", {
    args: ["-o", "pid=", "-s", String(sid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Waits until no process is left in session `sid`, up to `ms`; then SIGKILLs what is left and
 * says so on stderr. Resolves to the pids it had to kill.
 */
export async function waitForSession(sid: number, ms: number, what: string): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await sessionPids(sid)).length === 0) return [];
    await sleep(250);
  }
  const left = await sessionPids(sid);
  if (left.length) {
    console.error(`${what} still running after ${ms / 1000} s (pids ${left.join(", ")}): SIGKILL`);
    // Each pid, not the group: a child may have made a group of its own inside our session
    // (Airflow's DAG processor does).
    for (const pid of left) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return left;
}

/**
 * Runs `child` until it exits, turning Ctrl-C and SIGTERM into a stop of its whole group, then
 * waits for the group to empty. Resolves to 0 after a requested stop, else its exit code.
 */
export async function runUntilStopped(child: SessionChild, what: string): Promise<number> {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const stop = () => child.stop();
  for (const s of signals) Deno.addSignalListener(s, stop);
  try {
    const status = await child.status;
    // Whether it exited by itself or was stopped, leave none of its parts behind.
    signalGroup(child.pid, "SIGTERM");
    await waitForSession(child.pid, 30_000, what);
    return child.stopping ? 0 : status.code;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}
