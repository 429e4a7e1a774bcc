/**
 * The local stack lifecycle: install, up (with real health checks and a visible budget),
 * status and down (only what we started, by pid file).
 *
 * @module
 */
import type { Service, StackContext } from "./component.ts";
import { waitFor } from "../core/time.ts";
import { portFree, portHolder } from "./ports.ts";
import {
  isAlive,
  killByPidFile,
  readPid,
  rssMiB,
  startDetached,
  stopByPidFile,
  tail,
} from "./process.ts";
import { table } from "../view/table.ts";
import { selectComponents, SERVICES } from "./registry.ts";
import { install } from "./installer.ts";

/** What this module starts (`up` installs them first; needs_test.ts reads it). */
export const RUNS = SERVICES;

const pidFile = (ctx: StackContext, s: Service) => ctx.run(`${s.name}.pid`);

/** State of one service for the status table. */
export interface ServiceState {
  name: string;
  title: string;
  address: string;
  version: string;
  state: "healthy" | "starting" | "stopped" | "unhealthy";
  pid?: number;
  rssMiB?: number;
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

/** Checks one service: our process alive, and the real health check. */
export async function serviceState(ctx: StackContext, s: Service): Promise<ServiceState> {
  const rec = await readPid(pidFile(ctx, s));
  const alive = await isAlive(rec);
  const ok = alive && await withTimeout(s.healthy(ctx), 5000, false);
  return {
    name: s.name,
    title: s.title,
    address: s.address(ctx),
    version: s.version(ctx),
    state: !alive ? "stopped" : ok ? "healthy" : "unhealthy",
    pid: alive ? rec!.pid : undefined,
    rssMiB: alive ? await rssMiB(rec!.pid) : undefined,
  };
}

/** States of every service. */
export function status(ctx: StackContext, only?: string[]): Promise<ServiceState[]> {
  return Promise.all(selectComponents(SERVICES, only).map((s) => serviceState(ctx, s)));
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

/** Starts one service (if not running) and waits for its health check. */
export async function startService(ctx: StackContext, s: Service): Promise<void> {
  const started = Date.now();
  const current = await serviceState(ctx, s);
  if (current.state === "healthy") {
    console.log(`✔ ${s.title} already running (pid ${current.pid})`);
    return;
  }
  if (current.state === "unhealthy") {
    // Ours but not answering: perhaps still starting from an earlier run. Wait for it.
    await waitHealthy(ctx, s, started);
    return;
  }
  await checkPorts(ctx, s);
  await s.prepare?.(ctx);
  await startDetached(await s.launch(ctx), ctx.log(`${s.name}.log`), pidFile(ctx, s));
  await waitHealthy(ctx, s, started);
  await s.afterStart?.(ctx);
}

async function waitHealthy(ctx: StackContext, s: Service, started: number): Promise<void> {
  console.log(`  Waiting up to ${s.startTimeout} s for ${s.title} at ${s.address(ctx)}...`);
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
  console.log(`✔ ${s.title} healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Starts the services (installing what is missing) in dependency order, each layer in
 * parallel, then prints the table.
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
 * SIGKILLs one running service of ours, as a crash would; `up` starts it again. Returns the
 * pid it killed. Fault tests use it.
 */
export async function kill(ctx: StackContext, name: string): Promise<number> {
  const [s] = selectComponents(SERVICES, [name]);
  const pid = await killByPidFile(pidFile(ctx, s));
  if (pid === undefined) throw new Error(`Cannot kill ${s.title}: it is not running`);
  return pid;
}

/** Stops the services we started (dependents first). With `purge`, deletes their data too. */
export async function down(ctx: StackContext, opts: { purge?: boolean; only?: string[] } = {}) {
  const order = [...selectComponents(SERVICES, opts.only)].reverse();
  for (const s of order) {
    const stopped = await stopByPidFile(pidFile(ctx, s));
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
  })));
}
