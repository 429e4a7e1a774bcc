import assert from "node:assert/strict";
import { fakeService, tempContext } from "./fake.ts";
import { stopByPidFile } from "./process.ts";
import { startService } from "./service.ts";

Deno.test("a service that never becomes healthy fails with its last log lines", async () => {
  const ctx = await tempContext();
  const svc = fakeService(
    "fake",
    () => Promise.resolve(false),
    "echo 'listening... not really'; exec sleep 30",
  );
  try {
    await assert.rejects(() => startService(ctx, svc), (e: Error) => {
      assert.match(e.message, /Fake service fake did not become healthy within 2 s/);
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
  const svc = fakeService(
    "fake",
    () => Promise.resolve(false),
    "echo 'FATAL bad config' >&2; sleep 0.3; exit 1",
  );
  try {
    await assert.rejects(
      () => startService(ctx, svc),
      /Fake service fake exited during start-up[\s\S]*FATAL bad config/,
    );
  } finally {
    await Deno.remove(ctx.cfg.stateDir, { recursive: true });
  }
});
