/**
 * For unit tests of the stack's lifecycle: a stack context in a temporary state directory and a
 * service that is a real process (a shell command) with a health check of the test's choosing.
 *
 * @module
 */
import type { Service, StackContext } from "./component.ts";

/** A context whose state directory is new and empty (the caller removes `cfg.stateDir`). */
export async function tempContext(): Promise<StackContext> {
  const state = await Deno.makeTempDir({ prefix: "stack-unit-" });
  for (const d of ["logs", "run", "data"]) await Deno.mkdir(`${state}/${d}`);
  return {
    cfg: {
      stateDir: state,
      userId: "unit",
      stack: { host: "127.0.0.1", ports: {} },
    } as unknown as StackContext["cfg"],
    versions: { file: "", get: () => "1", list: () => [] },
    cache: (n) => `${state}/cache/${n}`,
    data: (n) => `${state}/data/${n}`,
    log: (f) => `${state}/logs/${f}`,
    run: (f) => `${state}/run/${f}`,
  };
}

/**
 * A service named `name` that runs `sh -c cmd` and is healthy when `healthy` says so.
 *
 * @example
 * ```ts
 * import { fakeService } from "./fake.ts";
 * const svc = fakeService("fake", () => Promise.resolve(true), "exec sleep 30");
 * svc.title; // "Fake service fake"
 * ```
 */
export function fakeService(name: string, healthy: () => Promise<boolean>, cmd: string): Service {
  return {
    name,
    title: `Fake service ${name}`,
    ports: [],
    dependsOn: [],
    startTimeout: 2,
    version: () => "1",
    address: () => "nowhere",
    installed: () => Promise.resolve(true),
    install: () => Promise.resolve(),
    launch: () => Promise.resolve({ cmd: ["sh", "-c", cmd] }),
    healthy,
  };
}
