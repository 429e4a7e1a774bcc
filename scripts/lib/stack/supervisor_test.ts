import assert from "node:assert/strict";
import { tempContext } from "./fake.ts";
import { RESTART_POLICY, supervisionReport } from "./supervisor.ts";

Deno.test("the backoff grows to 4 s and the 5th death in 2 minutes gives up", () => {
  assert.deepEqual([1, 2, 3, 4].map(RESTART_POLICY.delayMs), [0, 1000, 2000, 4000]);
  assert.equal(RESTART_POLICY.maxDeaths, 5);
  assert.equal(RESTART_POLICY.windowMs, 120_000);
});

Deno.test("the report says when no supervisor runs, and shows a failed service's log", async () => {
  const ctx = await tempContext();
  try {
    const text = await supervisionReport(ctx, [
      { name: "ok", title: "Fine service", rssMiB: 1200 },
      { name: "other", title: "Other service", rssMiB: 34 },
      {
        name: "bad",
        title: "Bad service",
        failed: {
          at: "2026-01-01T00:00:00.000Z",
          reason: "died 5 times in 120 s, last exit code 2",
          logTail: "FATAL: port in use",
        },
      },
    ]);
    assert.match(text, /^Supervisor: not running, so a service that dies stays down/);
    assert.match(
      text,
      /\nMemory: 1,234 MiB resident in all \(2 running services 1,234 MiB, supervisor 0 MiB\)\n/,
    );
    assert.match(
      text,
      /✘ Bad service failed: died 5 times in 120 s, last exit code 2 \(at 2026-01-01T00:00:00\.000Z\)/,
    );
    assert.match(text, /Last lines of .*\/logs\/bad\.log:\nFATAL: port in use$/);
    assert.doesNotMatch(text, /Fine service/);
  } finally {
    await Deno.remove(ctx.cfg.stateDir, { recursive: true });
  }
});
