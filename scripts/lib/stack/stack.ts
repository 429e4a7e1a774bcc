/**
 * The local stack lifecycle: install, up (with real health checks and a visible budget, then
 * the supervisor that restarts what dies), status and down (the supervisor first, then only
 * what we started, by pid file).
 *
 * @module
 */
import type { Service, StackContext } from "./component.ts";
import { waitFor } from "../core/time.ts";
import { portFree, portHolder } from "./ports.ts";
import {
  isAlive,
  killByPidFile,
  type PidRecord,
  readPid,
  rssMiB,
  startDetached,
  stopByPidFile,
  tail,
} from "./process.ts";
import { ensureSupervisor, readSupervisorState, stopSupervisor, type Watch } from "./supervisor.ts";
import { table } from "../view/table.ts";
import { selectComponents, SERVICES } from "./registry.ts";
import { install } from "./installer.ts";

/** What this module starts (`up` installs them first; needs_test.ts reads it). */
export const RUNS = SERVICES;

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

/** States of every service. */
export async function status(ctx: StackContext, only?: string[]): Promise<ServiceState[]> {
  const watched = (await readSupervisorState(ctx))?.services ?? {};
  return Promise.all(
    selectComponents(SERVICES, only).map((s) => serviceState(ctx, s, watched[s.name])),
  );
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

/**
 * Starts the services (installing what is missing) in dependency order, each layer in
 * parallel, and the supervisor that restarts them when they die; returns their states.
 */
export async function up(ctx: StackContext, only?: string[]): Promise<ServiceState[]> {
  const wanted = withDependencies(selectComponents(SERVICES, only));
  await install(ctx, wanted.map((s) => s.name), { quiet: true });
  const done = new Set<string>();
  while (done.size < wanted.length) {
    const layer = wanted.filter((s) => !done.has(s.name) && s.dependsOn.every((d) => done.has(d)));
    if (layer.length === 0) throw new Error("Service dependencies form a cycle");
    await Promise.all(layer.map((s) => startService(ctx, s)));
    layer.forEach((s) => done.add(s.name));
  }
  await ensureSupervisor(ctx);
  return status(ctx, wanted.map((s) => s.name));
}

function withDependencies(services: Service[]): Service[] {
  const names = new Set<string>();
  const add = (s: Service) => {
    if (names.has(s.name)) return;
    s.dependsOn.forEach((d) => add(SERVICES.find((x) => x.name === d)!));
    names.add(s.name);
  };
  services.forEach(add);
  return SERVICES.filter((s) => names.has(s.name));
}

/**
 * SIGKILLs one running service of ours and forgets it (its pid file goes, so the supervisor
 * leaves it down): `up` starts it again. Returns the pid it killed. Fault tests use it.
 */
export async function kill(ctx: StackContext, name: string): Promise<number> {
  const [s] = selectComponents(SERVICES, [name]);
  const pid = await withServiceLock(ctx, s, () => killByPidFile(pidFile(ctx, s)));
  if (pid === undefined) throw new Error(`Cannot kill ${s.title}: it is not running`);
  return pid;
}

/**
 * SIGKILLs one running service of ours as a crash does: its pid file stays, and the supervisor
 * restarts it. Returns the pid it killed. Fault tests use it.
 */
export async function crash(ctx: StackContext, name: string): Promise<number> {
  const [s] = selectComponents(SERVICES, [name]);
  const pid = await killByPidFile(pidFile(ctx, s), { keepPidFile: true });
  if (pid === undefined) throw new Error(`Cannot crash ${s.title}: it is not running`);
  return pid;
}

/**
 * Stops the services we started (dependents first); the whole stack's down stops the supervisor
 * first, so nothing comes back. A service stopped alone is not restarted either. With `purge`,
 * deletes their data too.
 */
export async function down(ctx: StackContext, opts: { purge?: boolean; only?: string[] } = {}) {
  if (!opts.only?.length && await stopSupervisor(ctx)) console.log("✔ stopped the supervisor");
  const order = [...selectComponents(SERVICES, opts.only)].reverse();
  for (const s of order) {
    const stopped = await withServiceLock(ctx, s, () => stopByPidFile(pidFile(ctx, s)));
    console.log(stopped ? `✔ stopped ${s.title}` : `· ${s.title} was not running`);
    if (opts.purge) {
      await Deno.remove(ctx.data(s.name), { recursive: true }).catch(() => {});
    }
  }
  if (opts.purge) console.log(`✔ deleted service data under ${ctx.cfg.stateDir}/data`);
}

/** The status table as printed by stack:up and stack:status. */
export function statusTable(states: ServiceState[]): string {
  return table(states.map((s) => ({
    service: s.title,
    address: s.address,
    version: s.version,
    state: s.state,
    pid: s.pid,
    "rss MiB": s.rssMiB,
    restarts: s.restarts,
    "last exit": s.lastExit,
  })));
}
