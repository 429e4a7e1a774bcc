import assert from "node:assert/strict";
import { clusterId } from "./kafka.ts";

Deno.test("a cluster id is 22 base64url characters and never starts with a dash", () => {
  // One in 64 random ids would start with "-"; 2,000 draws miss that with odds of 1e-14.
  for (let i = 0; i < 2000; i++) {
    const id = clusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, id);
  }
});
