import assert from "node:assert/strict";
import { tally, tallyCopies } from "./report.ts";

Deno.test("tally counts lost and doubled ids, ignoring strangers", () => {
  assert.deepEqual(tally([1, 2, 3, 4], ["1", "2", "2", "9", "3", "3", "3"]), {
    sent: 4,
    found: 3,
    lost: 1,
    doubled: 2,
  });
  assert.deepEqual(tally([], []), { sent: 0, found: 0, lost: 0, doubled: 0 });
});

Deno.test("tallyCopies expects each id as often as it was sent", () => {
  assert.deepEqual(tallyCopies([1, 1, 2, 3], ["1", "1", "2", "2", "2", "9"]), {
    sent: 4,
    found: 3,
    lost: 1,
    doubled: 2,
  });
});
