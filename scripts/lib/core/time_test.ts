import assert from "node:assert/strict";
import { waitFor } from "./time.ts";

Deno.test("waitFor returns the first value the probe gives", async () => {
  let n = 0;
  const v = await waitFor(() => Promise.resolve(++n === 3 ? "ready" : undefined), {
    timeoutMs: 1000,
    intervalMs: 1,
    timeoutError: () => new Error("never"),
  });
  assert.equal(v, "ready");
  assert.equal(n, 3);
});

Deno.test("waitFor throws the caller's error at the deadline, after probing at least once", async () => {
  let probes = 0;
  await assert.rejects(
    () =>
      waitFor(() => Promise.resolve(void probes++ as undefined), {
        timeoutMs: 0,
        timeoutError: () => new Error("stream x is not ACTIVE"),
      }),
    /stream x is not ACTIVE/,
  );
  assert.equal(probes, 1);
});

Deno.test("an error of the probe ends the wait at once", async () => {
  await assert.rejects(
    () =>
      waitFor(() => Promise.reject(new Error("service exited")), {
        timeoutMs: 10_000,
        timeoutError: () => new Error("timeout"),
      }),
    /service exited/,
  );
});
