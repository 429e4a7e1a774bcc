import assert from "node:assert/strict";
import { percentile, summarize } from "./stats.ts";

Deno.test("percentiles interpolate between ranks and ignore input order", () => {
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
  assert.equal(percentile([10], 95), 10);
  assert.equal(percentile([1, 2, 3, 4, 5], 0), 1);
  assert.equal(percentile([1, 2, 3, 4, 5], 100), 5);
  // rank 0.95 * 19 = 18.05 of 1..20: between 19 and 20
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.ok(Math.abs(percentile(twenty, 95) - 19.05) < 1e-9);
});

Deno.test("percentile refuses an empty sample and a p outside 0-100", () => {
  assert.throws(() => percentile([], 50), /empty sample/);
  assert.throws(() => percentile([1], 101), /must be 0-100/);
  assert.throws(() => percentile([1], NaN), /must be 0-100/);
});

Deno.test("a summary holds count, extremes, mean and percentiles", () => {
  const { p95, p99, ...rest } = summarize([3, 1, 2, 10]);
  assert.deepEqual(rest, { count: 4, min: 1, mean: 4, p50: 2.5, max: 10 });
  // rank 0.95 * 3 = 2.85: 3 + 0.85 * (10 - 3)
  assert.ok(Math.abs(p95 - 8.95) < 1e-9 && Math.abs(p99 - 9.79) < 1e-9);
});

Deno.test("summarize takes a sample of a million values", () => {
  const values = Array.from({ length: 1_000_000 }, (_, i) => i % 1000);
  const s = summarize(values);
  assert.equal(s.min, 0);
  assert.equal(s.max, 999);
  assert.equal(s.count, 1_000_000);
});
