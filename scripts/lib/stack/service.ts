/**
 * Starting one service of the stack and reading its state: its pid file, its process, its real
 * health check. Apart from `stack.ts` (whose RUNS is the whole stack) so that a task starting
 * one on-demand service (the Spark Connect server) starts nothing else.
 *
 * @module
 */
import type { Service, StackContext } from "./component.ts";
import { waitFor } from "../core/time.ts";
import { portFree, portHolder } from "./ports.ts";
import { isAlive, readPid, rssMiB, startDetached, tail } from "./process.ts";

/** The pid file of a service we started. */
export const pidFile = (ctx: StackContext, s: Service) => ctx.run(`${s.name}.pid`);

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
