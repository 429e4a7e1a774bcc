import assert from "node:assert/strict";
import { FILE_NAME_TEMPLATE, objectKey, OFFSET_PAD_WIDTH, parseObjectKey } from "./object_key.ts";

Deno.test("a key zero-pads the start offset to the sink's width by default", () => {
  const key = objectKey("a.pin", 2, 42);
  assert.equal(
    key,
    `topics/a.pin/partition=2/a.pin+2+${"42".padStart(OFFSET_PAD_WIDTH, "0")}.json`,
  );
  assert.equal(key.split("+")[2], `${"0".repeat(OFFSET_PAD_WIDTH - 2)}42.json`);
  assert.equal(objectKey("a.pin", 2, 42, 0), "topics/a.pin/partition=2/a.pin+2+42.json");
  assert.equal(
    objectKey("a.pin", 0, 12345678901, 10),
    "topics/a.pin/partition=0/a.pin+0+12345678901.json",
  );
  assert.ok(!key.includes("{{"), `${FILE_NAME_TEMPLATE} fully substituted`);
});

Deno.test("padded keys list in offset order, as Kafka wrote the records", () => {
  const offsets = [0, 9, 10, 99, 100, 1234];
  const keys = offsets.map((o) => objectKey("a.pin", 0, o));
  assert.deepEqual([...keys].sort(), keys);
});

Deno.test("an object key gives topic, partition and start offset, whatever the padding", () => {
  assert.deepEqual(parseObjectKey("topics/a.pin/partition=2/a.pin+2+0000000042.json"), {
    topic: "a.pin",
    partition: 2,
    startOffset: 42,
  });
  assert.deepEqual(parseObjectKey("topics/a.geo/partition=0/a.geo+0+7.json")?.startOffset, 7);
  for (const pad of [0, 3, OFFSET_PAD_WIDTH, 20]) {
    assert.deepEqual(parseObjectKey(objectKey("u-1.user", 3, 1057, pad)), {
      topic: "u-1.user",
      partition: 3,
      startOffset: 1057,
    });
  }
});

Deno.test("keys of another shape are not lake objects", () => {
  assert.equal(parseObjectKey("topics/a.pin/partition=0/_SUCCESS"), undefined);
  assert.equal(parseObjectKey("topics/a.pin/partition=0/a.pin+0+x.json"), undefined);
  assert.equal(parseObjectKey("topics/a.pin/partition=0/a.pin+0+1.json.tmp"), undefined);
});
