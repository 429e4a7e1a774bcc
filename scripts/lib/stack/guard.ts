/**
 * The last guard of every module that starts or runs a component: it exports `RUNS`, the
 * components it runs, and checks them with {@linkcode requireInstalled} before it starts one.
 * `needs_test.ts` reads the `RUNS` of every module a task reaches and checks them against what
 * the task installs (scripts/lib/stack/needs.ts).
 *
 * @module
 */
import type { Component, StackContext } from "./component.ts";

// Installs a process has confirmed (by cache dir and name): a task installs its set, then starts
// services and runs jobs that check the same components again, each check a dpkg query or a
// hash of sources. Only an install in this process adds to it, so it never hides a removal
// made before the check.
const confirmed = new Set<string>();
const key = (ctx: StackContext, c: Component) => `${ctx.cfg.cacheDir}\0${c.name}`;

/** True when `c` is installed; remembered for the rest of the process once it is. */
export async function isInstalled(ctx: StackContext, c: Component): Promise<boolean> {
  if (confirmed.has(key(ctx, c))) return true;
  const installed = await c.installed(ctx);
  if (installed) confirmed.add(key(ctx, c));
  return installed;
}

/**
 * The last guard of a runner: throws naming the component and the task that installs it when an
 * install is missing or half-written (installs are only trusted once stamped).
 */
export async function requireInstalled(
  ctx: StackContext,
  components: readonly Component[],
  what: string,
): Promise<void> {
  for (const c of components) {
    if (!(await isInstalled(ctx, c))) {
      throw new Error(
        `Cannot run ${what}: ${c.title} is not installed (or its install was cut short) in ` +
          `${ctx.cfg.cacheDir}; run \`deno task stack:install --only ${c.name}\``,
      );
    }
  }
}
