import assert from "node:assert/strict";
import { fakeService, tempContext } from "./fake.ts";
import { isAlive, killByPidFile, readPid, stopByPidFile } from "./process.ts";
import { pidFile, serviceState, startService, withServiceLock } from "./service.ts";
import { supervise } from "./supervise.ts";
import { readSupervisorState, type RestartPolicy } from "./supervisor.ts";
import { waitFor } from "../core/time.ts";
import type { Service, StackContext } from "./component.ts";

const FAST: RestartPolicy = { maxDeaths: 3, windowMs: 60_000, delayMs: (n) => (n - 1) * 100 };

/** Runs the supervisor over `services` while `fn` runs, then stops it. */
async function supervised(
  ctx: StackContext,
  services: Service[],
  fn: (lines: string[]) => Promise<void>,
): Promise<void> {
  const lines: string[] = [];
  const stop = new AbortController();
  const loop = supervise(ctx, services, {
    policy: FAST,
    pollMs: 50,
    signal: stop.signal,
    log: (l) => lines.push(l),
  });
  try {
    await fn(lines);
  } finally {
    stop.abort();
    await loop;
    for (const s of services) await stopByPidFile(pidFile(ctx, s), 2);
    await Deno.remove(ctx.cfg.stateDir, { recursive: true });
  }
}

const until = <T>(what: string, probe: () => Promise<T | undefined | false>) =>
  waitFor(probe, { timeoutMs: 10_000, intervalMs: 50, timeoutError: () => new Error(what) });

Deno.test("a SIGKILLed service is restarted, with one line naming how it died", async () => {
  const ctx = await tempContext();
  const svc = fakeService("sleeper", () => Promise.resolve(true), "exec sleep 60");
  await startService(ctx, svc, { quiet: true });
  await supervised(ctx, [svc], async (lines) => {
    const first = (await readPid(pidFile(ctx, svc)))!;
    const killed = performance.now();
    await killByPidFile(pidFile(ctx, svc), { keepPidFile: true });
    const again = await until("the sleeper was not restarted", async () => {
      const rec = await readPid(pidFile(ctx, svc));
      return rec && rec.pid !== first.pid && await isAlive(rec) ? rec : undefined;
    });
    assert.ok(performance.now() - killed < 5000, "back within 5 s");
    assert.equal(again.userId, "unit", "restarted for the user id it was started for");
    await until("no restart line", () => Promise.resolve(lines.some((l) => /restart 1/.test(l))));
    const restart = lines.filter((l) => /died/.test(l));
    assert.equal(restart.length, 1, restart.join("\n"));
    assert.match(
      restart[0],
      new RegExp(
        `Fake service sleeper died \\(killed by SIGKILL, pid ${first.pid}, up [\\d.]+ s\\); restart 1 after 0 s: pid ${again.pid}`,
      ),
    );
    const watch = (await readSupervisorState(ctx))!.services.sleeper;
    assert.equal(watch.restarts, 1);
    assert.equal(watch.lastExit, "killed by SIGKILL");
    const state = await serviceState(ctx, svc, watch);
    assert.equal(state.state, "healthy");
    assert.equal(state.restarts, 1);
  });
});

Deno.test("a service that keeps dying is left down, failed, with the tail of its log", async () => {
  const ctx = await tempContext();
  const svc = fakeService(
    "crasher",
    () => Promise.resolve(true),
    "echo 'FATAL: disk on fire'; sleep 0.2; exit 3",
  );
  await startService(ctx, svc, { quiet: true });
  await supervised(ctx, [svc], async (lines) => {
    const watch = await until("never given up", async () => {
      const w = (await readSupervisorState(ctx))?.services.crasher;
      return w?.failed ? w : undefined;
    });
    assert.equal(watch.restarts, FAST.maxDeaths - 1);
    assert.equal(watch.lastExit, "exit code 3");
    assert.match(watch.failed!.reason, /died 3 times in 60 s, last exit code 3/);
    assert.match(watch.failed!.logTail, /FATAL: disk on fire/);
    assert.equal(await readPid(pidFile(ctx, svc)), undefined, "its pid file is gone");
    assert.equal((await serviceState(ctx, svc, watch)).state, "failed");
    assert.match(
      lines.at(-1)!,
      /Fake service crasher died \(exit code 3, .*left down, see .*crasher\.log/,
    );
  });
});

Deno.test("a service stopped on purpose is not restarted", async () => {
  const ctx = await tempContext();
  const svc = fakeService("stoppable", () => Promise.resolve(true), "exec sleep 60");
  await startService(ctx, svc, { quiet: true });
  await supervised(ctx, [svc], async (lines) => {
    // As down() does: under the service's lock, so a death seen mid-stop is no death.
    assert.equal(await withServiceLock(ctx, svc, () => stopByPidFile(pidFile(ctx, svc), 2)), true);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await readPid(pidFile(ctx, svc)), undefined);
    assert.deepEqual(lines.filter((l) => /died/.test(l)), []);
  });
});

Deno.test("once the supervisor is stopped, a service that dies stays down", async () => {
  const ctx = await tempContext();
  const svc = fakeService("orphan", () => Promise.resolve(true), "exec sleep 60");
  await startService(ctx, svc, { quiet: true });
  const lines: string[] = [];
  const stop = new AbortController();
  const loop = supervise(ctx, [svc], {
    policy: FAST,
    pollMs: 50,
    signal: stop.signal,
    log: (l) => lines.push(l),
  });
  try {
    stop.abort();
    await loop;
    const rec = (await readPid(pidFile(ctx, svc)))!;
    await killByPidFile(pidFile(ctx, svc), { keepPidFile: true });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await isAlive(await readPid(pidFile(ctx, svc))), false, "nothing restarted it");
    assert.equal((await readPid(pidFile(ctx, svc)))?.pid, rec.pid);
    assert.deepEqual(lines.filter((l) => /died/.test(l)), []);
  } finally {
    await Deno.remove(ctx.cfg.stateDir, { recursive: true });
  }
});
