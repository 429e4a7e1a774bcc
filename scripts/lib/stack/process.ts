/**
 * Background processes of the local stack: started detached with their output in a log file,
 * remembered in a pid file, and stopped only through that pid file, never by name.
 *
 * @module
 */
import { sleep } from "../core/time.ts";

/** What a pid file remembers about a process we started. */
export interface PidRecord {
  pid: number;
  /**
   * When the process started, so a reused pid is never mistaken for ours: `ticks:<n>`, clock
   * ticks after boot (a step of the wall clock cannot change it), or, in pid files written before,
   * the wall-clock time `ps -o lstart` printed.
   */
  started: string;
  command: string[];
  startedAt: string;
  /** The user id the service was started for, so a restart serves the same topics and sink. */
  userId?: string;
}

/** How to start a service. */
export interface Launch {
  cmd: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** What `ps` tells about a live process. */
export interface ProcInfo {
  state: string;
  rssKiB: number;
  /** `ticks:<n>` after boot (see {@linkcode PidRecord}), else the `lstart` text. */
  started: string;
  /** Start time as `ps -o lstart` prints it (moves when the wall clock is stepped). */
  lstart: string;
}

/**
 * The start time of a process in clock ticks after boot, from field 22 of `/proc/<pid>/stat`
 * (read with `cat`: Deno reads /proc/<pid> only with --allow-all).
 *
 * @example
 * ```ts
 * import { startTicks } from "./process.ts";
 * startTicks("4242 (deno (x)) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 9 0 981234 0");
 * // 981234
 * ```
 */
export function startTicks(stat: string): number | undefined {
  // The command name (field 2) may hold spaces and parentheses: count from its last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/);
  const ticks = Number(fields[19]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

/**
 * Asks `ps` (and /proc) about a process. Undefined when it does not exist or is a zombie.
 */
export async function procInfo(pid: number): Promise<ProcInfo | undefined> {
  const [out, stat] = await Promise.all([
    new Deno.Command("ps", {
      args: ["-o", "stat=,rss=,lstart=", "-p", String(pid)],
      stdout: "piped",
      stderr: "null",
    }).output(),
    new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stdout: "piped", stderr: "null" })
      .output(),
  ]);
  const line = new TextDecoder().decode(out.stdout).trim();
  const m = /^(\S+)\s+(\d+)\s+(.+)$/.exec(line);
  if (!out.success || !m || m[1].startsWith("Z")) return undefined;
  const ticks = stat.success ? startTicks(new TextDecoder().decode(stat.stdout)) : undefined;
  return {
    state: m[1],
    rssKiB: Number(m[2]),
    started: ticks === undefined ? m[3] : `ticks:${ticks}`,
    lstart: m[3],
  };
}

/** Resident memory of a process in MiB, or undefined. */
export async function rssMiB(pid: number): Promise<number | undefined> {
  const info = await procInfo(pid);
  return info ? Math.round(info.rssKiB / 1024) : undefined;
}

/** Reads a pid file; undefined when missing or unreadable. */
export async function readPid(file: string): Promise<PidRecord | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(file)) as PidRecord;
  } catch {
    return undefined;
  }
}

/** True when the pid file names a live process that is the one we started. */
export async function isAlive(rec: PidRecord | undefined): Promise<boolean> {
  if (!rec) return false;
  const info = await procInfo(rec.pid);
  if (!info) return false;
  return rec.started.startsWith("ticks:")
    ? info.started === rec.started
    : info.lstart === rec.started;
}

/** Where the reaper of a pid file's process writes `<pid> <status>` when it exits. */
export function exitFile(pidFile: string): string {
  return pidFile.replace(/(\.pid)?$/, ".exit");
}

/**
 * The exit status of the process `rec` names, as its reaper wrote it (the shell's code: 128 + n
 * for a signal); undefined while it runs or when nobody saw it end.
 */
export async function readExit(pidFile: string, rec: PidRecord): Promise<number | undefined> {
  const text = await Deno.readTextFile(exitFile(pidFile)).catch(() => "");
  const [pid, code] = text.trim().split(" ").map(Number);
  return pid === rec.pid && Number.isInteger(code) ? code : undefined;
}

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  6: "SIGABRT",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  15: "SIGTERM",
};

/**
 * An exit status in words.
 *
 * @example
 * ```ts
 * import { describeExit } from "./process.ts";
 * describeExit(137); // "killed by SIGKILL"
 * describeExit(1); // "exit code 1"
 * describeExit(undefined); // "exit status unknown"
 * ```
 */
export function describeExit(code: number | undefined): string {
  if (code === undefined) return "exit status unknown";
  if (code > 128 && code < 160) return `killed by ${SIGNALS[code - 128] ?? `signal ${code - 128}`}`;
  return `exit code ${code}`;
}

/**
 * Starts a process in its own session (so it outlives the task that started it and can be
 * signalled as a group), appending stdout and stderr to `logFile`, and writes `pidFile`.
 *
 * A small shell in a session of its own is the process's parent: it waits for it and writes its
 * exit status to {@linkcode exitFile}, because only a parent learns how a child ended and the
 * task that started it is usually gone by then. Signals to the process's group miss it.
 */
export async function startDetached(
  launch: Launch,
  logFile: string,
  pidFile: string,
  meta: { userId?: string } = {},
): Promise<PidRecord> {
  await Deno.writeTextFile(logFile, `\n=== ${new Date().toISOString()} ${launch.cmd.join(" ")}\n`, {
    append: true,
  });
  await Deno.remove(exitFile(pidFile)).catch(() => {});
  const child = new Deno.Command("setsid", {
    args: [
      "sh",
      "-c",
      'log="$1"; exitf="$2"; shift 2; setsid "$@" >>"$log" 2>&1 </dev/null & pid=$!; ' +
      'echo "$pid"; exec >/dev/null; wait "$pid"; echo "$pid $?" >"$exitf"',
      "sh",
      logFile,
      exitFile(pidFile),
      ...launch.cmd,
    ],
    env: launch.env,
    cwd: launch.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  // Only now: an unref'd child's pipe does not keep this process waiting for the pid.
  child.unref();
  const pid = Number(text.trim());
  const info = Number.isSafeInteger(pid) && pid > 0 ? await procInfo(pid) : undefined;
  if (!info) {
    throw new Error(`Cannot start ${launch.cmd[0]}: it exited at once; see ${logFile}`);
  }
  const rec: PidRecord = {
    pid,
    started: info.started,
    command: launch.cmd,
    startedAt: new Date().toISOString(),
    ...meta,
  };
  await Deno.writeTextFile(pidFile, JSON.stringify(rec));
  return rec;
}

/**
 * Stops the process of a pid file (SIGTERM to its group, SIGKILL after `graceSeconds`) and
 * removes the file. Returns false when there was nothing of ours to stop.
 */
export async function stopByPidFile(pidFile: string, graceSeconds = 20): Promise<boolean> {
  const rec = await readPid(pidFile);
  if (!(await isAlive(rec))) {
    await Deno.remove(pidFile).catch(() => {});
    return false;
  }
  const signal = (sig: Deno.Signal) => signalGroup(rec!.pid, sig);
  signal("SIGTERM");
  const deadline = Date.now() + graceSeconds * 1000;
  while (Date.now() < deadline && (await isAlive(rec))) await sleep(200);
  if (await isAlive(rec)) {
    signal("SIGKILL");
    while (await isAlive(rec)) await sleep(100);
  }
  await Deno.remove(pidFile).catch(() => {});
  return true;
}

/**
 * SIGKILLs the process of a pid file and its group at once, as a crash would (no shutdown
 * hooks), and waits until it is gone. The file is removed unless `keepPidFile`: a crash leaves
 * it, and a supervisor restarts what it names. Returns the pid, or undefined when nothing of
 * ours was running.
 */
export async function killByPidFile(
  pidFile: string,
  opts: { keepPidFile?: boolean } = {},
): Promise<number | undefined> {
  const rec = await readPid(pidFile);
  if (!(await isAlive(rec))) return undefined;
  signalGroup(rec!.pid, "SIGKILL");
  while (await isAlive(rec)) await sleep(100);
  if (!opts.keepPidFile) await Deno.remove(pidFile).catch(() => {});
  return rec!.pid;
}

function signalGroup(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(-pid, sig);
  } catch {
    try {
      Deno.kill(pid, sig);
    } catch { /* already gone */ }
  }
}

/** Last `n` lines of a file, or a note that it is missing. */
export async function tail(file: string, n = 30): Promise<string> {
  try {
    const lines = (await Deno.readTextFile(file)).trimEnd().split("\n");
    return lines.slice(-n).join("\n");
  } catch {
    return `(no log at ${file})`;
  }
}
