import assert from "node:assert/strict";
import { assignPartitions, produceResponse } from "./partitions.ts";
import { RestError } from "./rest.ts";

Deno.test("explicit partitions win, keys hash stably, keyless records share one partition", () => {
  const recs = [{ value: 1 }, { value: 2, key: "a" }, { value: 3 }, { value: 4, partition: 0 }, {
    value: 5,
    key: "a",
  }];
  const p = assignPartitions(recs, 4, () => 0.6);
  assert.equal(p[0], 2);
  assert.equal(p[2], 2);
  assert.equal(p[3], 0);
  assert.equal(p[1], p[4]);
  assert.throws(() => assignPartitions([{ value: 1, partition: 4 }], 4), RestError);
});

Deno.test("offsets follow each partition's base offset in request order", () => {
  const r = produceResponse([1, 0, 1, 1], [{ partition: 0, baseOffset: "10" }, {
    partition: 1,
    baseOffset: "7",
  }]);
  assert.deepEqual(r.offsets.map((o) => [o.partition, o.offset]), [[1, 7], [0, 10], [1, 8], [
    1,
    9,
  ]]);
  assert.throws(() => produceResponse([2], [{ partition: 0, baseOffset: "1" }]), /partition 2/);
});
