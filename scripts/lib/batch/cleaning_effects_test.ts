import assert from "node:assert/strict";
import { cleaningEffects } from "./cleaning_effects.ts";

Deno.test("cleaning effects count nulled and converted values per column", () => {
  const raw = [
    { index: 1, title: "", follower_count: "12k" },
    { index: 2, title: "Hello", follower_count: "User Info Error" },
    { index: 3, title: "No Title Data Available", follower_count: "7" },
    { index: 3, title: "No Title Data Available", follower_count: "7" },
  ];
  const cleaned = [
    { ind: 1, title: null, follower_count: 12000 },
    { ind: 2, title: "Hello", follower_count: null },
    { ind: 3, title: null, follower_count: 7 },
  ];
  const [title, followers] = cleaningEffects(raw, cleaned, "index", "ind", {
    title: "title",
    follower_count: "follower_count",
  });
  assert.deepEqual(title, {
    column: "title",
    present: 3,
    nulled: 2,
    converted: 0,
    nulledValues: [["", 1], ["No Title Data Available", 1]],
  });
  assert.equal(followers.nulled, 1);
  assert.equal(followers.converted, 1, "12k -> 12000 converted; 7 -> 7 unchanged");
  assert.deepEqual(followers.nulledValues, [["User Info Error", 1]]);
});
