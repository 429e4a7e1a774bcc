/**
 * The local stack lifecycle: install, up (with real health checks and a visible budget, then
 * the supervisor that restarts what dies), status and down (the supervisor first, then only
 * what we started, by pid file).
 *
 * @module
 */
import type { Service, StackContext } from "./component.ts";
import { killByPidFile, stopByPidFile } from "./process.ts";
import {
  pidFile,
  type ServiceState,
  serviceState,
  startService,
  withServiceLock,
} from "./service.ts";
import { ensureSupervisor, readSupervisorState, stopSupervisor } from "./supervisor.ts";
import { table } from "../view/table.ts";
import { selectComponents, SERVICES, UP_SERVICES } from "./registry.ts";
import { install } from "./installer.ts";

/**
 * What this module starts (`up` installs them first; needs_test.ts reads it): the services a bare
 * `up` starts. The on-demand Spark Connect server starts through `spark/engine.ts` alone, so a
 * task that brings the stack up needs no Spark.
 */
export const RUNS = UP_SERVICES;

/** States of every service. */
export async function status(ctx: StackContext, only?: string[]): Promise<ServiceState[]> {
  const watched = (await readSupervisorState(ctx))?.services ?? {};
  return Promise.all(
    selectComponents(SERVICES, only).map((s) => serviceState(ctx, s, watched[s.name])),
  );
}

/**
 * Starts the services (installing what is missing) in dependency order, each layer in
 * parallel, and the supervisor that restarts them when they die; returns their states. `only`
 * names some of them; the on-demand services (the Spark Connect server) are not among them.
 */
export async function up(ctx: StackContext, only?: string[]): Promise<ServiceState[]> {
  const wanted = withDependencies(selectComponents(UP_SERVICES, only));
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
