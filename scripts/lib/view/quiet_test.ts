import assert from "node:assert/strict";
import { quietly } from "./quiet.ts";

Deno.test("quietly keeps a step's lines and gives console back", async () => {
  const log = console.log;
  const { value, lines } = await quietly(() => {
    console.log("✔ MariaDB already running", { pid: 1 });
    console.warn("careful");
    return Promise.resolve(7);
  });
  assert.equal(value, 7);
  assert.deepEqual(lines, ["✔ MariaDB already running { pid: 1 }", "careful"]);
  assert.equal(console.log, log);
});

Deno.test("quietly rethrows a failure after printing what the step said to stderr", async () => {
  const error = console.error;
  const printed: string[] = [];
  console.error = (s: string) => printed.push(s);
  try {
    await assert.rejects(
      quietly(() => {
        console.log("  Waiting up to 60 s for Kafka...");
        return Promise.reject(new Error("Kafka did not become healthy"));
      }),
      /Kafka did not become healthy/,
    );
  } finally {
    console.error = error;
  }
  assert.deepEqual(printed, ["  Waiting up to 60 s for Kafka..."]);
});
