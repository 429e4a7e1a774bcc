/**
 * `stack:install` and the install every task does first: the preconditions table for what is
 * missing, then each missing component, timed.
 *
 * @module
 */
import type { Component, StackContext } from "./component.ts";
import { InstallError } from "./install.ts";
import { ensurePreconditions } from "./preconditions.ts";
import { isInstalled } from "./guard.ts";
import { COMPONENTS, selectComponents } from "./registry.ts";

/**
 * Installs every component (or `only` these) that is not installed yet, after checking the
 * machine's preconditions for those (one table, one failure, before any download). Idempotent;
 * `quiet` prints one line when everything is already there.
 */
export async function install(
  ctx: StackContext,
  only?: string[],
  opts: { quiet?: boolean } = {},
): Promise<void> {
  const wanted = selectComponents(COMPONENTS, only);
  const missing: Component[] = [];
  for (const c of wanted) {
    if (await isInstalled(ctx, c)) {
      if (!opts.quiet) console.log(`✔ ${c.title} ${c.version(ctx)} already installed`);
    } else missing.push(c);
  }
  if (missing.length === 0) {
    if (opts.quiet) console.log(`✔ installed: ${wanted.map((c) => c.title).join(", ")}`);
    return;
  }
  console.log(
    `To install into ${ctx.cfg.cacheDir}: ${missing.map((c) => c.title).join(", ")}\n` +
      "Checking what the installs need from this machine:",
  );
  await ensurePreconditions(ctx, missing);
  for (const c of missing) {
    const started = Date.now();
    console.log(`Installing ${c.title} ${c.version(ctx)}`);
    try {
      await c.install(ctx);
    } catch (e) {
      if (e instanceof InstallError) throw e;
      throw new InstallError(c.name, "install", (e as Error).message);
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`✔ ${c.title} installed in ${seconds.toFixed(1)} s`);
    await recordInstallTime(ctx, c.name, seconds);
  }
}

/** Appends one install's wall time to `<state>/logs/install-times.jsonl` (for docs/measurements.md). */
async function recordInstallTime(ctx: StackContext, name: string, seconds: number) {
  const line = JSON.stringify({ at: new Date().toISOString(), component: name, seconds });
  await Deno.writeTextFile(ctx.log("install-times.jsonl"), line + "\n", { append: true });
}
