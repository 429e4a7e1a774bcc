import assert from "node:assert/strict";
import { parseEmulateArgs } from "./options.ts";

Deno.test("no options give the original behaviour: random pauses, one post at a time, forever", () => {
  const o = parseEmulateArgs([]);
  assert.equal(o.count, undefined);
  assert.equal(o.duration, undefined);
  assert.equal(o.rate, undefined);
  assert.equal(o.batch, 1);
  assert.equal(o.concurrency, 1);
});

Deno.test("load options parse, decimals where they make sense", () => {
  const o = parseEmulateArgs(
    ["--count", "500", "--rate", "0", "--batch", "50", "--concurrency", "4", "--seed", "7"],
  );
  assert.deepEqual(
    [o.count, o.rate, o.batch, o.concurrency, o.seed],
    [500, 0, 50, 4, 7],
  );
  assert.equal(parseEmulateArgs(["--rate", "2.5", "--duration", "0.5"]).rate, 2.5);
});

Deno.test("bad options fail with a message naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--count", "0"], /--count 0: must be at least 1/],
    [["--count", "ten"], /--count "ten": expected a whole number/],
    [["--rate", "-1"], /--rate -1: must be 0 or more/],
    [["--rate", "fast"], /--rate "fast": expected a number/],
    [["--duration", "0"], /--duration 0: must be above 0/],
    [["--batch", "5000"], /--batch 5000: must be at most 1000/],
    [["--concurrency", "0"], /--concurrency 0: must be at least 1/],
    [["--seed", "-1"], /--seed -1: must be at least 0/],
    [["--nope"], /Unknown option '--nope'/],
    [["extra"], /Unexpected argument "extra"/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseEmulateArgs(args), message);
});
