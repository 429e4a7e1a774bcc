/**
 * A Deno script of this repository as a child process under a config's user id, a process of
 * its own so that its pid, liveness and resident memory can be watched apart from the caller's
 * (the fault tests, the stream bench's own API gateway).
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { textLines } from "../core/lines.ts";
import { procInfo } from "./process.ts";

/** A Deno script running as a child of the test. */
export interface Child {
  pid: number;
  /** Start time as `ps` prints it: a live process with another start time is not this one. */
  started: string;
  /** True while this very process runs. */
  alive(): Promise<boolean>;
  /** Resident memory in MiB (undefined once gone). */
  rssMiB(): Promise<number | undefined>;
  /** The last lines it printed (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code when it ends. */
  exited: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number>;
}

/**
 * Starts `deno run <script> ...args` with the test's config (its user id) in the environment;
 * resolves once a line of its stdout matches `ready` (or at once without it).
 */
export async function startChild(
  cfg: Config,
  script: string,
  args: string[],
  opts: { ready?: RegExp; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Child & { match?: RegExpExecArray }> {
  const proc = new Deno.Command(Deno.execPath(), {
    // The permission set of deno.json the tasks of these scripts use.
    args: ["run", "-P=client", `${cfg.root}/${script}`, ...args],
    cwd: cfg.root,
    env: { NO_COLOR: "1", PIPELINE_USER_ID: cfg.userId, ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  const ready = Promise.withResolvers<RegExpExecArray | undefined>();
  if (!opts.ready) ready.resolve(undefined);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const line of textLines(stream)) {
      keep(line);
      const m = opts.ready?.exec(line);
      if (m) ready.resolve(m);
    }
  };
  const pumps = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  const exited = proc.status.then(async (s) => {
    await pumps.catch(() => {});
    ready.reject(new Error(`${script} exited with ${s.code} before it was ready:\n${output()}`));
    return s.code;
  });
  const output = () => lines.join("\n");
  const timer = setTimeout(
    () => ready.reject(new Error(`${script} not ready after ${opts.timeoutMs ?? 30_000} ms`)),
    opts.timeoutMs ?? 30_000,
  );
  let match: RegExpExecArray | undefined;
  try {
    match = await ready.promise;
  } catch (e) {
    try {
      proc.kill("SIGKILL");
    } catch { /* gone */ }
    await exited;
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const started = (await procInfo(proc.pid))?.started ?? "";
  const alive = async () => (await procInfo(proc.pid))?.started === started;
  return {
    pid: proc.pid,
    started,
    match,
    alive,
    async rssMiB() {
      const info = await procInfo(proc.pid);
      return info && info.started === started ? info.rssKiB / 1024 : undefined;
    },
    output,
    exited,
    async stop(graceMs = 10_000) {
      if (await alive()) {
        try {
          proc.kill("SIGTERM");
        } catch { /* gone */ }
        const timer = setTimeout(() => {
          try {
            proc.kill("SIGKILL");
          } catch { /* gone */ }
        }, graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return await exited;
    },
  };
}
