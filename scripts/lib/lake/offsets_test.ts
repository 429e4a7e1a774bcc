import assert from "node:assert/strict";
import { countLines } from "./offsets.ts";
import { parseObjectKey } from "./object_key.ts";

Deno.test("an object key gives topic, partition and start offset, whatever the padding", () => {
  assert.deepEqual(parseObjectKey("topics/a.pin/partition=2/a.pin+2+0000000042.json"), {
    topic: "a.pin",
    partition: 2,
    startOffset: 42,
  });
  assert.deepEqual(parseObjectKey("topics/a.geo/partition=0/a.geo+0+7.json")?.startOffset, 7);
});

Deno.test("keys of another shape are not lake objects", () => {
  assert.equal(parseObjectKey("topics/a.pin/partition=0/_SUCCESS"), undefined);
  assert.equal(parseObjectKey("topics/a.pin/partition=0/a.pin+0+x.json"), undefined);
  assert.equal(parseObjectKey("topics/a.pin/partition=0/a.pin+0+1.json.tmp"), undefined);
});

Deno.test("records of an object are its non-blank lines", () => {
  assert.equal(countLines('{"a":1}\n\n{"a":2}\n'), 2);
  assert.equal(countLines(""), 0);
});
