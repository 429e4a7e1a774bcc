/**
 * Test harness: integration tests start the services they need through the project's own stack
 * code and stop afterwards only what they started, so a stack the developer had running stays up.
 *
 * @module
 */
import { type Config, loadConfig } from "../scripts/lib/core/config.ts";
import type { StackContext } from "../scripts/lib/stack/component.ts";
import { down, status, up } from "../scripts/lib/stack/stack.ts";
import { stackContext } from "../scripts/lib/stack/context.ts";

/** A user id of its own for one test run: lower-case, unique enough across runs. */
export function testUserId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A stack brought up for a test. */
export interface TestStack {
  cfg: Config;
  ctx: StackContext;
  /** Stops the services this call started. */
  release(): Promise<void>;
}

async function running(ctx: StackContext): Promise<Set<string>> {
  return new Set((await status(ctx)).filter((s) => s.state !== "stopped").map((s) => s.name));
}

/**
 * Remembers which services run now; `release()` stops those that started since (for tests whose
 * code under test, like a notebook, brings the stack up itself).
 */
export async function trackStack(): Promise<TestStack> {
  const cfg = await loadConfig();
  const ctx = await stackContext(cfg);
  const before = await running(ctx);
  return {
    cfg,
    ctx,
    async release() {
      const started = [...(await running(ctx))].filter((n) => !before.has(n));
      if (started.length) await down(ctx, { only: started });
    },
  };
}

/**
 * Brings up `services` (all by default) and remembers which were already running. With
 * `userId`, the returned config names its own topics, bucket and streams, so a test never writes
 * into the pipeline's.
 */
export async function startStack(
  services?: string[],
  opts: { userId?: string } = {},
): Promise<TestStack> {
  const cfg = await loadConfig({ overrides: opts.userId ? { PIPELINE_USER_ID: opts.userId } : {} });
  const ctx = await stackContext(cfg);
  const before = await running(ctx);
  const states = await up(ctx, services);
  const started = states.map((s) => s.name).filter((n) => !before.has(n));
  return {
    cfg,
    ctx,
    async release() {
      if (started.length) await down(ctx, { only: started });
    },
  };
}

/** Runs a deno task and returns its exit code and combined output. */
export async function runTask(
  task: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", task, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}
