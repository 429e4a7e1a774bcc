/**
 * The last guard of every module that starts or runs a component: it exports `RUNS`, the
 * components it runs, and checks them with {@linkcode requireInstalled} before it starts one.
 * `needs_test.ts` reads the `RUNS` of every module a task reaches and checks them against what
 * the task installs (scripts/lib/stack/needs.ts).
 *
 * @module
 */
import type { Component, StackContext } from "./component.ts";

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
    if (!(await c.installed(ctx))) {
      throw new Error(
        `Cannot run ${what}: ${c.title} is not installed (or its install was cut short) in ` +
          `${ctx.cfg.cacheDir}; run \`deno task stack:install --only ${c.name}\``,
      );
    }
  }
}
