import assert from "node:assert/strict";
import type { Service, StackContext } from "./component.ts";
import { stopByPidFile } from "./process.ts";
import { startService } from "./service.ts";

async function tempContext(): Promise<StackContext> {
  const state = await Deno.makeTempDir({ prefix: "stack-unit-" });
  for (const d of ["logs", "run", "data"]) await Deno.mkdir(`${state}/${d}`);
  return {
    cfg: {
      stateDir: state,
      stack: { host: "127.0.0.1", ports: {} },
    } as unknown as StackContext["cfg"],
    versions: { file: "", get: () => "1", list: () => [] },
    cache: (n) => `${state}/cache/${n}`,
    data: (n) => `${state}/data/${n}`,
    log: (f) => `${state}/logs/${f}`,
    run: (f) => `${state}/run/${f}`,
  };
}

function fake(healthy: () => Promise<boolean>, cmd: string): Service {
  return {
    name: "fake",
    title: "Fake service",
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

Deno.test("a service that never becomes healthy fails with its last log lines", async () => {
  const ctx = await tempContext();
  const svc = fake(() => Promise.resolve(false), "echo 'listening... not really'; exec sleep 30");
  try {
    await assert.rejects(() => startService(ctx, svc), (e: Error) => {
      assert.match(e.message, /Fake service did not become healthy within 2 s/);
      assert.match(e.message, /listening\.\.\. not really/);
      return true;
    });
  } finally {
    assert.equal(
      await stopByPidFile(ctx.run("fake.pid"), 2),
      true,
      "the sleeping process was ours to stop",
    );
    await Deno.remove(ctx.cfg.stateDir, { recursive: true });
  }
});

Deno.test("a service that exits during start-up fails at once with its log", async () => {
  const ctx = await tempContext();
  const svc = fake(() => Promise.resolve(false), "echo 'FATAL bad config' >&2; sleep 0.3; exit 1");
  try {
    await assert.rejects(
      () => startService(ctx, svc),
      /Fake service exited during start-up[\s\S]*FATAL bad config/,
    );
  } finally {
    await Deno.remove(ctx.cfg.stateDir, { recursive: true });
  }
});
