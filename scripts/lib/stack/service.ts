/**
 * Starting one service of the stack and reading its state: its pid file, its lock, its process,
 * its real health check. Apart from `stack.ts` (whose RUNS is the whole stack) so that a task
 * starting one on-demand service (the Spark Connect server) starts nothing else.
 *
 * @module
 */
import type { Service, StackContext } from "./component.ts";
import { waitFor } from "../core/time.ts";
import { portFree, portHolder } from "./ports.ts";
import { isAlive, type PidRecord, readPid, rssMiB, startDetached, tail } from "./process.ts";
import type { Watch } from "./supervisor.ts";

/** The pid file of a service. */
export const pidFile = (ctx: StackContext, s: Service): string => ctx.run(`${s.name}.pid`);

/**
 * Runs `fn` holding the service's lock (`<state>/run/<name>.lock`): a start, a stop and a
 * restart by the supervisor never overlap, in this process or another.
 */
export async function withServiceLock<T>(
  ctx: StackContext,
  s: Service,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await Deno.open(ctx.run(`${s.name}.lock`), { create: true, write: true });
  try {
    await lock.lock(true);
    return await fn();
  } finally {
    lock.close();
  }
}

/** State of one service for the status table. */
export interface ServiceState {
  name: string;
  title: string;
  address: string;
  version: string;
  /** `failed`: it kept dying and the supervisor left it down. */
  state: "healthy" | "starting" | "stopped" | "unhealthy" | "failed";
  pid?: number;
  rssMiB?: number;
  /** Restarts by the supervisor since it started. */
  restarts?: number;
  /** How it last died (`killed by SIGKILL`), when the supervisor saw it. */
  lastExit?: string;
  /** With `failed`: why, and the last lines of its log. */
  failed?: Watch["failed"];
}

async function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<T>((r) => timer = setTimeout(() => r(fallback), ms));
  try {
    return await Promise.race([p.catch(() => fallback), t]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks one service: our process alive, and the real health check; with the supervisor's
 * `watch` of it, its restarts and last exit, and `failed` when it was given up.
 */
export async function serviceState(
  ctx: StackContext,
  s: Service,
  watch?: Watch,
): Promise<ServiceState> {
  const rec = await readPid(pidFile(ctx, s));
  const alive = await isAlive(rec);
  const ok = alive && await withTimeout(s.healthy(ctx), 5000, false);
  const failed = !rec && watch?.failed ? watch.failed : undefined;
  return {
    name: s.name,
    title: s.title,
    address: s.address(ctx),
    version: s.version(ctx),
    state: failed ? "failed" : !alive ? "stopped" : ok ? "healthy" : "unhealthy",
    pid: alive ? rec!.pid : undefined,
    rssMiB: alive ? await rssMiB(rec!.pid) : undefined,
    restarts: watch?.restarts,
    lastExit: watch?.lastExit,
    failed,
  };
}

async function checkPorts(ctx: StackContext, s: Service): Promise<void> {
  for (const name of s.ports) {
    const port = ctx.cfg.stack.ports[name];
    if (portFree(ctx.cfg.stack.host, port)) continue;
    const holder = await portHolder(port);
    throw new Error(
      `Cannot start ${s.title}: port ${port} (stack.ports.${name}) is taken by ` +
        (holder ? `pid ${holder.pid} (${holder.command})` : "another process") +
        `; stop it or set PIPELINE_PORT_${name.toUpperCase()} to a free port`,
    );
  }
}

/** Options of {@linkcode startService}. */
export interface StartOptions {
  /**
   * Start only if the pid file still names this dead process (the supervisor's restart):
   * otherwise someone stopped or started it meanwhile, and nothing is done.
   */
  replacing?: PidRecord;
  /** No progress lines (the supervisor writes one line per restart itself). */
  quiet?: boolean;
}

/**
 * Starts one service (if not running) and waits for its health check. Resolves true when it
 * launched the process, false when it found it running (or, with `replacing`, not to restart).
 */
export function startService(
  ctx: StackContext,
  s: Service,
  opts: StartOptions = {},
): Promise<boolean> {
  return withServiceLock(ctx, s, async () => {
    const started = Date.now();
    const say = opts.quiet ? () => {} : (line: string) => console.log(line);
    if (opts.replacing) {
      const rec = await readPid(pidFile(ctx, s));
      if (rec?.pid !== opts.replacing.pid || rec.started !== opts.replacing.started) return false;
    }
    const current = await serviceState(ctx, s);
    if (current.state === "healthy") {
      say(`✔ ${s.title} already running (pid ${current.pid})`);
      return false;
    }
    if (current.state === "unhealthy") {
      // Ours but not answering: perhaps still starting from an earlier run. Wait for it.
      await waitHealthy(ctx, s, started, say);
      return false;
    }
    await checkPorts(ctx, s);
    await s.prepare?.(ctx);
    await startDetached(await s.launch(ctx), ctx.log(`${s.name}.log`), pidFile(ctx, s), {
      userId: ctx.cfg.userId,
    });
    await waitHealthy(ctx, s, started, say);
    await s.afterStart?.(ctx);
    return true;
  });
}

async function waitHealthy(
  ctx: StackContext,
  s: Service,
  started: number,
  say: (line: string) => void,
): Promise<void> {
  say(`  Waiting up to ${s.startTimeout} s for ${s.title} at ${s.address(ctx)}...`);
  const logFile = ctx.log(`${s.name}.log`);
  await waitFor(async () => {
    if (!(await isAlive(await readPid(pidFile(ctx, s))))) {
      throw new Error(
        `${s.title} exited during start-up. Last lines of ${logFile}:\n${await tail(logFile)}`,
      );
    }
    return await withTimeout(s.healthy(ctx), 5000, false);
  }, {
    timeoutMs: started + s.startTimeout * 1000 - Date.now(),
    timeoutError: async () =>
      new Error(
        `${s.title} did not become healthy within ${s.startTimeout} s. ` +
          `Last lines of ${logFile}:\n${await tail(logFile)}`,
      ),
  });
  say(`✔ ${s.title} healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
