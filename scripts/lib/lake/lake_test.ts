import assert from "node:assert/strict";
import { isLakeObject, LakeFormatError, parseJsonLines } from "./lake.ts";

Deno.test("parseJsonLines reads one record or many lines per object, skipping blank lines", () => {
  assert.deepEqual(parseJsonLines('{"ind": 1}', "a.json"), [{ ind: 1 }]);
  assert.deepEqual(
    parseJsonLines('{"ind": 1, "country": "Albania"}\r\n\n  \n{"ind": "2"}\n', "b.json"),
    [{ ind: 1, country: "Albania" }, { ind: "2" }],
  );
  assert.deepEqual(parseJsonLines("", "empty.json"), []);
});

Deno.test("parseJsonLines takes a pretty-printed record or an array of records", () => {
  assert.deepEqual(parseJsonLines('{\n  "ind": 7528,\n  "age": 20\n}\n', "c.json"), [
    { ind: 7528, age: 20 },
  ]);
  assert.deepEqual(parseJsonLines('[{"ind": 1},\n {"ind": 2}]', "d.json"), [{ ind: 1 }, {
    ind: 2,
  }]);
});

Deno.test("parseJsonLines names the object and line of bad input", () => {
  assert.throws(
    () => parseJsonLines('{"ind": 1}\n{"ind": \n', "s3://b/topics/x.pin/p.json"),
    (e: Error) =>
      e instanceof LakeFormatError && /^Cannot parse s3:\/\/b\/topics\/x\.pin\/p\.json line 2: /
        .test(e.message),
  );
  assert.throws(
    () => parseJsonLines('{"ind": 1}\n42\n', "e.json"),
    { message: "Cannot read e.json line 2: expected a JSON object per record, got 42" },
  );
});

Deno.test("isLakeObject takes *.json and skips markers and hidden files", () => {
  assert.equal(isLakeObject("topics/x.pin/partition=0/x.pin+0+0000000000.json"), true);
  assert.equal(isLakeObject("topics/x.pin/partition=12/x.pin+12+7.json"), true);
  assert.equal(isLakeObject("topics/x.pin/partition=0/_SUCCESS"), false);
  assert.equal(isLakeObject("topics/x.pin/partition=0/.x.json.crc"), false);
  assert.equal(isLakeObject("topics/x.pin/partition=0/_tmp.json"), false);
  assert.equal(isLakeObject("topics/x.pin/notes.txt"), false);
});
