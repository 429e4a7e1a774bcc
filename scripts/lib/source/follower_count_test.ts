import assert from "node:assert/strict";
import { SQL_DIR } from "../core/paths.ts";
import {
  FOLLOWER_DIGITS,
  FOLLOWER_SUFFIXED,
  followerCount,
  followerForm,
} from "./follower_count.ts";

Deno.test("the cleaning SQL turns follower counts into numbers with the same two patterns", async () => {
  const sql = await Deno.readTextFile(`${SQL_DIR}/clean/pin.sql`);
  const patterns = [...sql.matchAll(/follower_count rlike '([^']+)'/g)].map((m) => m[1]);
  assert.deepEqual(patterns, [FOLLOWER_DIGITS, FOLLOWER_SUFFIXED]);
});

Deno.test("every form is read as the cleaning reads it", () => {
  assert.deepEqual(
    ["12", "0", "12k", "1.5K", "3M", "2.5m", "", "User Info Error", "1.2.3k", "k"].map((v) => [
      followerForm(v),
      followerCount(v),
    ]),
    [
      ["digits", 12],
      ["digits", 0],
      ["<n>k", 12000],
      ["<n>k", 1500],
      ["<n>M", 3000000],
      ["<n>M", 2500000],
      ["other", null],
      ["other", null],
      ["other", null],
      ["other", null],
    ],
  );
});
