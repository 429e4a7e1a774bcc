import assert from "node:assert/strict";
import { landedRanges, visibleSince } from "./watch.ts";

Deno.test("each object ends where the next begins, the last after its lines", () => {
  const seen: Record<string, number> = { a: 10, b: 20, c: 30 };
  const ranges = landedRanges(
    [{ key: "a", start: 0 }, { key: "b", start: 4 }, { key: "c", start: 9 }],
    2,
    (k) => seen[k],
  );
  assert.deepEqual(ranges, [
    { start: 0, end: 4, seenAt: 10 },
    { start: 4, end: 9, seenAt: 20 },
    { start: 9, end: 11, seenAt: 30 },
  ]);
  assert.equal(visibleSince(ranges, 0), 10);
  assert.equal(visibleSince(ranges, 8), 20);
  assert.equal(visibleSince(ranges, 10), 30);
  assert.equal(visibleSince(ranges, 11), undefined, "not landed yet");
});

Deno.test("a gap before the first object is not visible", () => {
  const ranges = landedRanges([{ key: "b", start: 5 }], 1, () => 1);
  assert.equal(visibleSince(ranges, 2), undefined);
  assert.equal(visibleSince(ranges, 5), 1);
});
