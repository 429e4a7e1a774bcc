/**
 * The local stack for notebooks: `deno task jupyter` brings the stack up while JupyterLab starts,
 * and a notebook's first cell may run before that is done. Two `up()` at once would both start
 * the same service, so the task holds a marker file while it starts the stack, and a notebook
 * waits for it before its own (then quick) `up()`. Start-up lines stay out of the notebook.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import type { StackContext } from "../stack/component.ts";
import { stackContext } from "../stack/context.ts";
import { isAlive, type PidRecord, procInfo, readPid } from "../stack/process.ts";
import { sleep } from "../core/time.ts";
import type { ServiceState } from "../stack/service.ts";
import { up } from "../stack/stack.ts";
import { quietly } from "../view/quiet.ts";

/** The marker `deno task jupyter` holds while it starts the stack. */
export function stackStartMarker(ctx: StackContext): string {
  return ctx.run("stack-starting.json");
}

/** Runs `fn` (the stack's start) holding the marker, removed when `fn` ends either way. */
export async function holdingStackStart<T>(ctx: StackContext, fn: () => Promise<T>): Promise<T> {
  const info = await procInfo(Deno.pid);
  const rec: PidRecord = {
    pid: Deno.pid,
    started: info?.started ?? "",
    command: ["deno task jupyter"],
    startedAt: new Date().toISOString(),
  };
  await Deno.writeTextFile(stackStartMarker(ctx), JSON.stringify(rec));
  try {
    return await fn();
  } finally {
    await Deno.remove(stackStartMarker(ctx)).catch(() => {});
  }
}

/**
 * Waits while a live `deno task jupyter` holds the marker (a stale one, from a killed task, is
 * ignored), up to `timeoutMs`.
 */
export async function waitForStackStart(ctx: StackContext, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(await readPid(stackStartMarker(ctx)))) {
    if (Date.now() > deadline) {
      throw new Error(
        `The stack is still being started by deno task jupyter after ${timeoutMs / 1000} s; ` +
          `see its terminal, or ${ctx.log("")}`,
      );
    }
    await sleep(500);
  }
}

/** Table rows of the services' states, as the notebooks show them. */
export function stackRows(states: ServiceState[]): Record<string, unknown>[] {
  return states.map(({ title, address, version, state, rssMiB }) => ({
    service: title,
    address,
    version,
    state,
    "rss MiB": rssMiB,
  }));
}

/**
 * Brings the stack (or `only` these services and what they depend on) up for a notebook: waits
 * for a `deno task jupyter` still starting it, then `up()`, safe to re-run (running services are
 * left alone), with its install and start lines kept out of the notebook.
 */
export async function notebookStack(
  cfg: Config,
  only?: string[],
): Promise<{ ctx: StackContext; states: ServiceState[] }> {
  const ctx = await stackContext(cfg);
  await waitForStackStart(ctx);
  const { value: states } = await quietly(() => up(ctx, only));
  return { ctx, states };
}
