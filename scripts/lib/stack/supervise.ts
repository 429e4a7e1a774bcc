/**
 * The supervisor's loop (`scripts/stack.ts supervise`, started by `up`): it watches every
 * service that has a pid file, and when one dies it restarts it through `startService`, with
 * backoff, for the user id it was started for, writing one line per restart with the exit
 * status. A service that dies `maxDeaths` times within the window is left down, shown as failed
 * with the tail of its log. A pid file removed (`down`, `kill`) means "leave it down". It ends on
 * SIGTERM, or by itself once nothing is left to watch.
 *
 * @module
 */
import type { Service, StackContext } from "./component.ts";
import { loadConfig } from "../core/config.ts";
import { sleep } from "../core/time.ts";
import { describeExit, isAlive, type PidRecord, readExit, readPid, tail } from "./process.ts";
import { pidFile, startService, withServiceLock } from "./service.ts";
import { stackContext } from "./context.ts";
import {
  RESTART_POLICY,
  type RestartPolicy,
  type SupervisorState,
  type Watch,
  writeSupervisorState,
} from "./supervisor.ts";

/** Options of {@linkcode supervise}. */
export interface SuperviseOptions {
  policy?: RestartPolicy;
  /** How often the exit files are read (default 250 ms). */
  pollMs?: number;
  /** How often every process is also checked by its pid (default 5 s): a death nobody reaped. */
  checkMs?: number;
  /** Stop once nothing has been watched for this long (default 10 s). */
  idleMs?: number;
  /** Ends the loop (SIGTERM in the supervisor process). */
  signal?: AbortSignal;
  /** Where the restart lines go (default console.log, the supervisor's log). */
  log?: (line: string) => void;
}

const samePid = (a: PidRecord | undefined, b: PidRecord) =>
  a?.pid === b.pid && a.started === b.started;

/** Watches `services` of `ctx`'s state directory until stopped; see the module doc. */
export async function supervise(
  ctx: StackContext,
  services: Service[],
  opts: SuperviseOptions = {},
): Promise<void> {
  const policy = opts.policy ?? RESTART_POLICY;
  const log = opts.log ?? ((line: string) => console.log(line));
  const stamp = () => new Date().toISOString();
  const state: SupervisorState = { pid: Deno.pid, startedAt: stamp(), services: {} };
  const watch = (s: Service): Watch => state.services[s.name] ??= { restarts: 0, deaths: [] };
  const save = () => writeSupervisorState(ctx, state);
  const contexts = new Map<string, Promise<StackContext>>();
  const contextFor = (userId?: string) => {
    if (!userId || userId === ctx.cfg.userId) return Promise.resolve(ctx);
    if (!contexts.has(userId)) {
      contexts.set(
        userId,
        loadConfig({ overrides: { PIPELINE_USER_ID: userId } }).then(stackContext),
      );
    }
    return contexts.get(userId)!;
  };
  const busy = new Map<string, Promise<void>>();
  await save();
  log(`${stamp()} supervisor pid ${Deno.pid} watching ${services.map((s) => s.name).join(", ")}`);

  async function onDeath(s: Service, rec: PidRecord, code: number | undefined): Promise<void> {
    // Seen dead by its pid first: its reaper writes the exit status a moment later.
    for (let i = 0; code === undefined && i < 10; i++) {
      await sleep(100);
      code = await readExit(pidFile(ctx, s), rec);
    }
    // A stop holds the lock until the pid file is gone: a death seen during one is no death.
    const stillOurs = await withServiceLock(
      ctx,
      s,
      async () => samePid(await readPid(pidFile(ctx, s)), rec),
    );
    if (!stillOurs || opts.signal?.aborted) return;
    const w = watch(s);
    const now = Date.now();
    w.deaths = [...w.deaths.filter((t) => now - Date.parse(t) < policy.windowMs), stamp()];
    w.lastExit = describeExit(code);
    w.lastExitAt = stamp();
    const died = `${s.title} died (${w.lastExit}, pid ${rec.pid}, up ${
      ((now - Date.parse(rec.startedAt)) / 1000).toFixed(1)
    } s)`;
    const logFile = ctx.log(`${s.name}.log`);
    if (w.deaths.length >= policy.maxDeaths) {
      const reason = `died ${w.deaths.length} times in ${policy.windowMs / 1000} s`;
      await withServiceLock(ctx, s, async () => {
        if (samePid(await readPid(pidFile(ctx, s)), rec)) await Deno.remove(pidFile(ctx, s));
      });
      w.failed = {
        at: stamp(),
        reason: `${reason}, last ${w.lastExit}`,
        logTail: await tail(logFile, 20),
      };
      await save();
      log(`${stamp()} ${died}; ${reason}: left down, see ${logFile}`);
      return;
    }
    await save();
    const delay = policy.delayMs(w.deaths.length);
    if (delay > 0) await sleep(delay);
    if (opts.signal?.aborted) return;
    const started = performance.now();
    try {
      const target = await contextFor(rec.userId);
      if (!(await startService(target, s, { replacing: rec, quiet: true }))) return;
      w.restarts++;
      const now = await readPid(pidFile(ctx, s));
      log(
        `${stamp()} ${died}; restart ${w.restarts} after ${delay / 1000} s: pid ${now?.pid}, ` +
          `healthy in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    } catch (e) {
      // The pid file names the process that failed to start (or still the dead one): the next
      // look counts it as another death, so a service that cannot start ends as failed.
      log(`${stamp()} ${died}; restart failed: ${(e as Error).message.split("\n")[0]}`);
    }
    await save();
  }

  const pollMs = opts.pollMs ?? 250;
  const checkEvery = Math.max(1, Math.round((opts.checkMs ?? 5000) / pollMs));
  let idleSince = Date.now();
  for (let round = 0; !opts.signal?.aborted; round++) {
    let watched = busy.size;
    let seen = false;
    for (const s of services) {
      if (busy.has(s.name)) continue;
      const rec = await readPid(pidFile(ctx, s));
      if (!rec) continue;
      watched++;
      seen ||= !(s.name in state.services);
      const w = watch(s);
      if (w.failed) {
        // Started again by hand since it was given up: watch it afresh.
        w.failed = undefined;
        w.deaths = [];
        await save();
      }
      const code = await readExit(pidFile(ctx, s), rec);
      const dead = code !== undefined
        ? !(await isAlive(rec))
        : round % checkEvery === 0 && !(await isAlive(rec));
      if (!dead) continue;
      busy.set(
        s.name,
        onDeath(s, rec, code).finally(() => busy.delete(s.name)),
      );
    }
    // A service watched for the first time shows in stack:status with 0 restarts.
    if (seen) await save();
    if (watched > 0) idleSince = Date.now();
    else if (Date.now() - idleSince >= (opts.idleMs ?? 10_000)) {
      log(`${stamp()} nothing left to watch: supervisor exits`);
      break;
    }
    await sleep(pollMs);
  }
  await Promise.all(busy.values());
}
