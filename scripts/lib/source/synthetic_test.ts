import { followerCount, followerForm } from "./follower_count.ts";
import assert from "node:assert/strict";
import {
  CATEGORIES,
  COUNTRIES,
  geoRow,
  pinRow,
  PLACEHOLDERS,
  post,
  STORY_FORMAT,
  userRow,
} from "./synthetic.ts";

const N = 20_000;
const pins = Array.from({ length: N }, (_, k) => pinRow(7, k));

function share(pred: (i: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < N; i++) if (pred(i)) n++;
  return n / N;
}

function near(actual: number, target: number, tolerance: number, what: string) {
  assert.ok(
    Math.abs(actual - target) <= tolerance,
    `${what}: ${(actual * 100).toFixed(2)}% is not within ${tolerance * 100} points of ${
      target * 100
    }%`,
  );
}

Deno.test("follower_count forms follow docs/spec.md §2 shares", () => {
  const f = (i: number) => pins[i].follower_count;
  near(share((i) => followerForm(f(i)) === "<n>k"), 0.74, 0.03, "<n>k");
  near(share((i) => followerForm(f(i)) === "digits"), 0.17, 0.03, "digits");
  near(share((i) => followerForm(f(i)) === "<n>M"), 0.07, 0.02, "<n>M");
  near(share((i) => f(i) === PLACEHOLDERS.userInfoError), 0.015, 0.008, "User Info Error");
  assert.ok(share((i) => f(i) === "0") > 0.01, "some follower counts are 0");
  const millions = pins.filter((p) => followerForm(p.follower_count) === "<n>M");
  assert.equal(Math.max(...millions.map((p) => followerCount(p.follower_count)!)), 15_000_000);
});

Deno.test("a poster has the same follower count on every pin", () => {
  const byPoster = new Map<string, Set<string>>();
  for (const p of pins) {
    if (p.poster_name === PLACEHOLDERS.userInfoError) continue;
    const set = byPoster.get(p.poster_name) ?? new Set();
    set.add(p.follower_count);
    byPoster.set(p.poster_name, set);
  }
  const repeated = [...byPoster.values()].filter((s) => s.size > 0);
  assert.ok(byPoster.size < N * 0.8, "posters recur across pins");
  // Two accounts may share a generated name; allow a handful of such collisions.
  const conflicting = repeated.filter((s) => s.size > 1).length;
  assert.ok(conflicting / byPoster.size < 0.05, `${conflicting} names with several counts`);
});

Deno.test("every placeholder and empty strings appear a few percent of rows", () => {
  const col = (k: keyof typeof pins[0], v: string) => share((i) => pins[i][k] === v);
  for (
    const [k, v] of [
      ["title", PLACEHOLDERS.title],
      ["description", PLACEHOLDERS.descriptionStory],
      ["description", PLACEHOLDERS.description],
      ["description", PLACEHOLDERS.untitled],
      ["poster_name", PLACEHOLDERS.userInfoError],
      ["tag_list", PLACEHOLDERS.tagList],
      ["image_src", PLACEHOLDERS.imageSrc],
      ["title", ""],
      ["description", ""],
      ["tag_list", ""],
    ] as const
  ) {
    const s = col(k, v);
    assert.ok(s > 0.002 && s < 0.06, `${k} = ${JSON.stringify(v)} in ${(s * 100).toFixed(2)}%`);
  }
});

Deno.test("story-format posts carry the placeholders and are not downloaded", () => {
  const stories = pins.filter((p) => p.is_image_or_video === STORY_FORMAT);
  assert.ok(stories.length > N * 0.005);
  for (const p of stories) {
    assert.equal(p.title, PLACEHOLDERS.title);
    assert.equal(p.image_src, PLACEHOLDERS.imageSrc);
    assert.equal(p.downloaded, 0);
  }
  const kinds = new Set(pins.map((p) => p.is_image_or_video));
  assert.deepEqual([...kinds].sort(), ["image", STORY_FORMAT, "video"]);
});

Deno.test("categories, save locations, countries, dates and ages are in range", () => {
  assert.equal(new Set(pins.map((p) => p.category)).size, 13);
  for (const p of pins) {
    assert.ok((CATEGORIES as readonly string[]).includes(p.category));
    assert.equal(p.save_location, `Local save in /data/${p.category}`);
    assert.match(
      p.unique_id,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  }
  assert.ok(COUNTRIES.length >= 240);
  for (
    const odd of ["Antarctica (the territory South of 60 deg S)", "Korea", "Libyan Arab Jamahiriya"]
  ) {
    assert.ok(COUNTRIES.includes(odd), odd);
  }
  for (let k = 0; k < 5000; k++) {
    const g = geoRow(7, k), u = userRow(7, k);
    const y = Number(g.timestamp.slice(0, 4)), j = Number(u.date_joined.slice(0, 4));
    assert.ok(y >= 2017 && y <= 2022, g.timestamp);
    assert.ok(j >= 2015 && j <= 2017, u.date_joined);
    assert.ok(u.age >= 20 && u.age <= 59);
    assert.ok(Math.abs(g.latitude) <= 90 && Math.abs(g.longitude) <= 180);
  }
});

Deno.test("a person recurs on several user rows with the same identity", () => {
  const seen = new Map<string, number>();
  for (let k = 0; k < 5000; k++) {
    const u = userRow(7, k);
    const id = `${u.first_name}|${u.last_name}|${u.age}|${u.date_joined}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  assert.ok([...seen.values()].some((n) => n >= 3));
});

Deno.test("generation is deterministic for a seed and differs across seeds", () => {
  assert.deepEqual(post(7, 1234), post(7, 1234));
  assert.notDeepEqual(post(7, 1234), post(8, 1234));
});

Deno.test("the canonical rows of docs/spec.md §2 sit at their indices", () => {
  const a = post(99, 7528);
  assert.equal(a.pin.unique_id, "fbe53c66-3442-4773-b19e-d3ec6f54dddf");
  assert.equal(a.pin.category, "mens-fashion");
  assert.equal(a.pin.is_image_or_video, STORY_FORMAT);
  assert.deepEqual(a.geo, {
    ind: 7528,
    timestamp: "2020-08-28 03:52:47",
    latitude: -89.9787,
    longitude: -173.293,
    country: "Albania",
  });
  assert.deepEqual(a.user, {
    ind: 7528,
    first_name: "Abigail",
    last_name: "Ali",
    age: 20,
    date_joined: "2015-10-24 11:23:51",
  });
  const b = post(99, 5730);
  assert.equal(b.pin.category, "finance");
  assert.equal(b.pin.follower_count, "0");
  assert.equal(b.geo.timestamp, "2021-04-19 17:37:03");
  assert.equal(b.geo.country, "Colombia");
  assert.equal(`${b.user.first_name} ${b.user.last_name}`, "Rachel Davis");
  assert.equal(b.user.age, 36);
  assert.equal(b.user.date_joined, "2015-12-08 20:02:43");
});
