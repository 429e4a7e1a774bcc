/**
 * The cleaning and analytics SQL on real Spark: a hand-written raw lake in the Confluent layout,
 * one run of the batch driver over it, then every cleaned table and every query answer checked
 * against values worked out by hand (see the comments next to each expectation). The runs use
 * the job's own JVM; the last test runs the job on the Spark Connect server (started there if it
 * is not running, and then stopped) and compares.
 *
 * The fixture: 14 posts whose pin, geo and user records arrive as 16 raw rows each (duplicate
 * deliveries, a keyless record), spread over two partitions and several offsets.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../scripts/lib/core/config.ts";
import { names } from "../scripts/lib/core/names.ts";
import { runSparkJob, toUri } from "../scripts/lib/spark/driver.ts";
import { type SparkEvent, type SparkReport } from "../scripts/lib/spark/events.ts";
import { stackContext } from "../scripts/lib/stack/context.ts";
import { topicPrefix, TOPICS_DIR } from "../scripts/lib/lake/object_key.ts";
import { fixtureKey, jsonLines, writeFileLake } from "./fixtures/lake.ts";
import { question } from "../scripts/lib/batch/questions.ts";
import { pidFile, serviceState, withServiceLock } from "../scripts/lib/stack/service.ts";
import { stopByPidFile } from "../scripts/lib/stack/process.ts";
import { sparkConnect } from "../scripts/lib/stack/services/spark_connect.ts";

const TOPICS = names("fixture0batch").topics;

type Raw = Record<string, unknown>;

// ---- raw pins: every placeholder, every follower_count form, numbers as numbers and strings
const STORY_7528: Raw = {
  index: 7528,
  unique_id: "fbe53c66-3442-4773-b19e-d3ec6f54dddf",
  title: "No Title Data Available",
  description: "No description available Story format",
  poster_name: "User Info Error",
  follower_count: "User Info Error",
  tag_list: "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",
  is_image_or_video: "multi-video(story page format)",
  image_src: "Image src error.",
  downloaded: 0,
  save_location: "Local save in /data/mens-fashion",
  category: "mens-fashion",
};
const FINANCE_5730: Raw = {
  index: 5730,
  unique_id: "1e1f0c8b-9fcf-460b-9154-c775827206eb",
  title: "Island Oasis Coupon Organizer",
  description: "Organize coupons with this handy printable binder system.",
  poster_name: "Ashley Leiter",
  follower_count: "0",
  tag_list: "Grocery Coupons,Saving Money,Budget Planner,Frugal Living",
  is_image_or_video: "image",
  image_src: "https://i.pinimg.com/originals/8c/6e/7b/8c6e7b1e5b3f2a4d9c0e1f2a3b4c5d6e.jpg",
  downloaded: 1,
  save_location: "Local save in /data/finance",
  category: "finance",
};

/** A plain pin; `over` holds the dirt of the row. */
function pin(index: number | string, category: string, poster: string, followers: string) {
  return (over: Raw = {}): Raw => ({
    index,
    unique_id: `00000000-0000-4000-8000-0000000000${String(index).padStart(2, "0")}`,
    title: `Pin ${index}`,
    description: `About pin ${index}.`,
    poster_name: poster,
    follower_count: followers,
    tag_list: "Bold art,Fresh idea",
    is_image_or_video: "image",
    image_src: `https://i.pinimg.com/originals/${index}.jpg`,
    downloaded: 1,
    save_location: `Local save in /data/${category}`,
    category,
    ...over,
  });
}

const P1 = pin("1", "art", "Paint Daily", "12k")({ downloaded: "1" });
const P2 = pin(2, "art", "Paint Daily", "1.5k")({ description: "No description available" });
const P3 = pin(3, "travel", "Go Far", "3M")({ is_image_or_video: "video" });
const P4 = pin(4, "travel", "Roam", "875")({ description: "Untitled" });
const P5 = pin(5, "art", "Paint Daily", "12k")();
const P6 = pin(6, "finance", "Money Tips", "3M")({ image_src: "Image src error.", downloaded: 0 });
const P7 = pin(7, "beauty", "", "")({ title: "" });
const P8 = pin(8, "beauty", "Glow", "7k")();
const P9 = pin(9, "travel", "Wise Words", "2.5M")();
const P10 = pin(10, "quotes", "Go Far", "3M")();
const P11 = pin(11, "finance", "Shine", "7k")();
const P12 = pin(12, "vehicles", "Wheels", "5k+")({
  title: "",
  description: "",
  tag_list: "",
  is_image_or_video: "",
  image_src: "",
});

// ---- raw geo: both timestamp forms, coordinates as numbers and as strings, an empty country
const geo = (
  ind: number | string,
  timestamp: string,
  lat: unknown,
  lon: unknown,
  country: string,
) => ({
  ind,
  timestamp,
  latitude: lat,
  longitude: lon,
  country,
});
const G7528 = geo(7528, "2020-08-28T03:52:47", -89.9787, -173.293, "Albania");
const G5730 = geo(5730, "2021-04-19 17:37:03", -77.015, -101.437, "Colombia");
const G5730_AS_TEXT = geo("5730", "2021-04-19 17:37:03", "-77.015", "-101.437", "Colombia");
const G1 = geo(1, "2018-03-01T10:00:00", 10.5, 20.25, "Albania");
const G2 = geo(2, "2018-07-15 09:30:00", 0, 0, "Albania");
const G3 = geo(3, "2019-02-02T00:00:00", -45.5, 120.125, "Albania");
const G4 = geo(4, "2019-12-31T23:59:59", 37.5665, 126.978, "Korea");
const G4_AS_TEXT = geo("4", "2019-12-31T23:59:59", "37.5665", "126.978", "Korea");
const G5 = geo(5, "2018-05-05T05:05:05", 35.1, 129.04, "Korea");
const G6 = geo(6, "2022-01-01T00:00:00", 33.45, 126.57, "Korea");
const G7 = geo(7, "2017-06-06 06:06:06", 4.711, -74.0721, "Colombia");
const G8 = geo(8, "2022-12-31T23:59:59", 6.2442, -75.5812, "Colombia");
const G9 = geo(9, "2020-06-15 18:45:00", 36.35, 127.38, "Korea");
const G10 = geo(10, "2023-01-01T00:00:00", 41.3275, 19.8187, "Albania");
const G11 = geo(11, "2021-09-09T09:09:09", 3.4516, -76.532, "Colombia");
const G12 = geo(12, "2019-05-05T05:05:05", "", "", "");

// ---- raw users: ages on each group boundary and under 18, a person on several rows
const user = (ind: number, first: string, last: string, age: unknown, joined: string) => ({
  ind,
  first_name: first,
  last_name: last,
  age,
  date_joined: joined,
});
const U7528 = user(7528, "Abigail", "Ali", 20, "2015-10-24T11:23:51");
const U5730 = user(5730, "Rachel", "Davis", 36, "2015-12-08 20:02:43");
const U1 = user(1, "Ben", "Ode", 24, "2016-01-05T08:00:00");
const U2 = user(2, "Cara", "Moss", 25, "2016-06-30 12:00:00");
const U3 = user(3, "Dan", "Page", 35, "2017-03-03T03:03:03");
const U4 = user(4, "Eve", "Hart", 36, "2017-11-11T11:11:11");
const U5 = user(5, "Ben", "Ode", "24", "2016-01-05T08:00:00");
const U6 = user(6, "Finn", "Lowe", 50, "2015-02-02T02:02:02");
const U7 = user(7, "Gus", "Ray", 51, "2014-12-31T23:59:59");
const U8 = user(8, "Hana", "Ito", 17, "2020-05-05T05:05:05");
const U9 = user(9, "Ivy", "Chen", 58, "2017-07-07 07:07:07");
const U10 = user(10, "Abigail", "Ali", 21, "2015-10-24T11:23:51");
const U11 = user(11, "Ben", "Ode", 24, "2016-01-05 08:00:00");
const U12 = user(12, "Jo", "Kim", 30, "2021-03-03T03:03:03");
const KEYLESS = { first_name: "Nobody", last_name: "Known", age: 40, date_joined: "2016-02-02" };

const lines = jsonLines;

/** Objects of the lake by key: Confluent names, some not zero-padded. */
function fixtureFiles(): Record<string, string> {
  const f = fixtureKey;
  const { pin: tp, geo: tg, user: tu } = TOPICS;
  return {
    [f(tp, 0, "0000000000")]: lines(STORY_7528, FINANCE_5730, P1, P2, P3, P3),
    [f(tp, 0, "0000000006")]: JSON.stringify(P4), // one record, no final newline
    [f(tp, 0, "0000000007")]: lines(P5, P6) + "\n" + lines(P7),
    [f(tp, 1, "0000000000")]: lines(P8, P9, P1),
    [f(tp, 1, "3")]: lines(P10, P11, P12),
    [`${topicPrefix(tp)}partition=1/notes.txt`]: "not json, must be ignored\n",
    [f(tg, 0, "0000000000")]: lines(G7528, G5730, G1, G2, G3, G4),
    [f(tg, 0, "0000000006")]: lines(G5, G6, G7, G8, G9, G10, G11, G12),
    [f(tg, 1, "0000000000")]: lines(G5730_AS_TEXT, G4_AS_TEXT),
    [f(tu, 0, "0000000000")]: lines(U7528, U5730, U1, U2, U3, U4, U5),
    [f(tu, 0, "0000000007")]: lines(U6, U7, U8, U9, U10, U11, U12),
    [f(tu, 1, "0000000000")]: lines(U2, KEYLESS),
  };
}

// One Spark run for every assertion of this file: starting Spark costs more than the queries.
const dir = await Deno.makeTempDir({ prefix: "batch_sql_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let run: Promise<SparkReport> | undefined;
function batch(): Promise<SparkReport> {
  run ??= (async () => {
    await writeFileLake(dir, fixtureFiles());
    const ctx = await stackContext(await loadConfig());
    return runSparkJob(ctx, {
      lake: toUri(`${dir}/${TOPICS_DIR}`),
      topics: TOPICS,
      out: toUri(`${dir}/out`),
      emitRows: 1000,
      // Its own JVM, whether or not a Spark Connect server is up: the last test compares.
      engine: "local",
    });
  })();
  return run;
}

const rowsOf = async (name: string) => {
  const t = (await batch()).tables[name];
  assert.ok(t, `the job reported no table ${name}`);
  return t;
};
const tuples = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r));

Deno.test("raw reads take every *.json line of every partition and nothing else", async () => {
  const steps = (await batch()).steps;
  const count = (step: string, name: string) =>
    steps.find((s) => s.step === step && s.name === name)?.rows;
  for (const kind of ["pin", "geo", "user"]) {
    assert.equal(count("read", kind), 16, `raw ${kind} rows`);
    assert.equal(count("clean", kind), 14, `clean ${kind} rows`);
  }
});

Deno.test("clean pin: placeholders and empty strings null, follower counts parsed, one per ind", async () => {
  const t = await rowsOf("pin");
  // deno-fmt-ignore
  assert.deepEqual(t.columns, [
    "ind", "unique_id", "title", "description", "follower_count", "poster_name", "tag_list",
    "is_image_or_video", "image_src", "save_location", "category",
  ]);
  // deno-fmt-ignore
  assert.deepEqual(t.types, [
    "int", "string", "string", "string", "bigint", "string", "string", "string", "string",
    "string", "string",
  ]);
  const uid = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;
  const img = (n: number) => `https://i.pinimg.com/originals/${n}.jpg`;
  const tags = "Bold art,Fresh idea";
  // deno-fmt-ignore
  assert.deepEqual(tuples(t.rows), [
    [1, uid(1), "Pin 1", "About pin 1.", 12000, "Paint Daily", tags, "image", img(1), "/data/art", "art"],
    [2, uid(2), "Pin 2", null, 1500, "Paint Daily", tags, "image", img(2), "/data/art", "art"],
    [3, uid(3), "Pin 3", "About pin 3.", 3000000, "Go Far", tags, "video", img(3), "/data/travel", "travel"],
    [4, uid(4), "Pin 4", null, 875, "Roam", tags, "image", img(4), "/data/travel", "travel"],
    [5, uid(5), "Pin 5", "About pin 5.", 12000, "Paint Daily", tags, "image", img(5), "/data/art", "art"],
    [6, uid(6), "Pin 6", "About pin 6.", 3000000, "Money Tips", tags, "image", null, "/data/finance", "finance"],
    [7, uid(7), null, "About pin 7.", null, null, tags, "image", img(7), "/data/beauty", "beauty"],
    [8, uid(8), "Pin 8", "About pin 8.", 7000, "Glow", tags, "image", img(8), "/data/beauty", "beauty"],
    [9, uid(9), "Pin 9", "About pin 9.", 2500000, "Wise Words", tags, "image", img(9), "/data/travel", "travel"],
    [10, uid(10), "Pin 10", "About pin 10.", 3000000, "Go Far", tags, "image", img(10), "/data/quotes", "quotes"],
    [11, uid(11), "Pin 11", "About pin 11.", 7000, "Shine", tags, "image", img(11), "/data/finance", "finance"],
    // "5k+" is no known form: no count
    [12, uid(12), null, null, null, "Wheels", null, null, null, "/data/vehicles", "vehicles"],
    [
      5730, "1e1f0c8b-9fcf-460b-9154-c775827206eb", "Island Oasis Coupon Organizer",
      "Organize coupons with this handy printable binder system.", 0, "Ashley Leiter",
      "Grocery Coupons,Saving Money,Budget Planner,Frugal Living", "image",
      "https://i.pinimg.com/originals/8c/6e/7b/8c6e7b1e5b3f2a4d9c0e1f2a3b4c5d6e.jpg",
      "/data/finance", "finance",
    ],
    [
      7528, "fbe53c66-3442-4773-b19e-d3ec6f54dddf", null, null, null, null, null,
      "multi-video(story page format)", null, "/data/mens-fashion", "mens-fashion",
    ],
  ]);
});

Deno.test("clean geo: coordinates array, UTC timestamps from T and space forms", async () => {
  const t = await rowsOf("geo");
  assert.deepEqual(t.columns, ["ind", "country", "coordinates", "timestamp"]);
  assert.deepEqual(t.types, ["int", "string", "array<double>", "timestamp"]);
  assert.deepEqual(tuples(t.rows), [
    [1, "Albania", [10.5, 20.25], "2018-03-01T10:00:00"],
    [2, "Albania", [0, 0], "2018-07-15T09:30:00"],
    [3, "Albania", [-45.5, 120.125], "2019-02-02T00:00:00"],
    [4, "Korea", [37.5665, 126.978], "2019-12-31T23:59:59"],
    [5, "Korea", [35.1, 129.04], "2018-05-05T05:05:05"],
    [6, "Korea", [33.45, 126.57], "2022-01-01T00:00:00"],
    [7, "Colombia", [4.711, -74.0721], "2017-06-06T06:06:06"],
    [8, "Colombia", [6.2442, -75.5812], "2022-12-31T23:59:59"],
    [9, "Korea", [36.35, 127.38], "2020-06-15T18:45:00"],
    [10, "Albania", [41.3275, 19.8187], "2023-01-01T00:00:00"],
    [11, "Colombia", [3.4516, -76.532], "2021-09-09T09:09:09"],
    [12, null, null, "2019-05-05T05:05:05"],
    [5730, "Colombia", [-77.015, -101.437], "2021-04-19T17:37:03"],
    [7528, "Albania", [-89.9787, -173.293], "2020-08-28T03:52:47"],
  ]);
});

Deno.test("clean user: user_name with a space, ages as int, date_joined as UTC timestamp", async () => {
  const t = await rowsOf("user");
  assert.deepEqual(t.columns, ["ind", "user_name", "age", "date_joined"]);
  assert.deepEqual(t.types, ["int", "string", "int", "timestamp"]);
  assert.deepEqual(tuples(t.rows), [
    [1, "Ben Ode", 24, "2016-01-05T08:00:00"],
    [2, "Cara Moss", 25, "2016-06-30T12:00:00"],
    [3, "Dan Page", 35, "2017-03-03T03:03:03"],
    [4, "Eve Hart", 36, "2017-11-11T11:11:11"],
    [5, "Ben Ode", 24, "2016-01-05T08:00:00"],
    [6, "Finn Lowe", 50, "2015-02-02T02:02:02"],
    [7, "Gus Ray", 51, "2014-12-31T23:59:59"],
    [8, "Hana Ito", 17, "2020-05-05T05:05:05"],
    [9, "Ivy Chen", 58, "2017-07-07T07:07:07"],
    [10, "Abigail Ali", 21, "2015-10-24T11:23:51"],
    [11, "Ben Ode", 24, "2016-01-05T08:00:00"],
    [12, "Jo Kim", 30, "2021-03-03T03:03:03"],
    [5730, "Rachel Davis", 36, "2015-12-08T20:02:43"],
    [7528, "Abigail Ali", 20, "2015-10-24T11:23:51"],
  ]);
});

/** Checks a query's columns and rows, and that its CSV holds the same. */
async function assertQuery(name: string, rows: unknown[][]) {
  const columns = question(name).columns;
  const t = await rowsOf(name);
  assert.deepEqual(t.columns, columns, `${name} columns`);
  assert.deepEqual(tuples(t.rows), rows, `${name} rows`);
  const csv = await Deno.readTextFile(`${dir}/out/${name}.csv`);
  // Spark's CSV writes a double with its decimal point, 12000.0, where JSON has 12000.
  const cell = (v: unknown, i: number) => t.types[i] === "double" ? (v as number).toFixed(1) : v;
  const expected = [columns, ...rows.map((r) => r.map(cell))].map((r) => r.join(","));
  assert.deepEqual(csv.trimEnd().split("\n"), expected, `${name}.csv`);
  // Answer tables only when asked for (the Spark Connect test below asks).
  await assert.rejects(Deno.stat(`${dir}/out/delta/${name}`), Deno.errors.NotFound);
}

Deno.test("q4: most popular category per country, ties kept, null country skipped", async () => {
  // Albania: art 2 (1, 2), travel 1, quotes 1, mens-fashion 1. Colombia: beauty 2 (7, 8) and
  // finance 2 (5730, 11) tie. Korea: travel 2 (4, 9). Post 12 has no country.
  await assertQuery("q4_popular_category_by_country", [
    ["Albania", "art", 2],
    ["Colombia", "beauty", 2],
    ["Colombia", "finance", 2],
    ["Korea", "travel", 2],
  ]);
});

Deno.test("q5a: posts per category per year, 2018-2022 only, years in UTC", async () => {
  // Post 7 (2017) and 10 (2023-01-01T00:00:00) fall outside; 8 (2022-12-31T23:59:59) is in.
  await assertQuery("q5a_posts_per_category_per_year", [
    [2018, "art", 3],
    [2019, "travel", 2],
    [2019, "vehicles", 1],
    [2020, "mens-fashion", 1],
    [2020, "travel", 1],
    [2021, "finance", 2],
    [2022, "beauty", 1],
    [2022, "finance", 1],
  ]);
});

Deno.test("q5b: most popular category per year, ties kept", async () => {
  await assertQuery("q5b_popular_category_by_year", [
    [2018, "art", 3],
    [2019, "travel", 2],
    [2020, "mens-fashion", 1],
    [2020, "travel", 1],
    [2021, "finance", 2],
    [2022, "beauty", 1],
    [2022, "finance", 1],
  ]);
});

Deno.test("q6a: top poster per country by max followers, one row per poster, ties kept", async () => {
  // Albania: Go Far 3M on two pins is one row; Paint Daily max(12k, 1.5k) = 12000 loses.
  // Colombia: Glow and Shine tie at 7k; Ashley Leiter 0; pin 7 has no poster. Korea: Money
  // Tips 3M beats Wise Words 2.5M, Paint Daily 12k, Roam 875.
  await assertQuery("q6a_top_user_by_country", [
    ["Albania", "Go Far", 3000000],
    ["Colombia", "Glow", 7000],
    ["Colombia", "Shine", 7000],
    ["Korea", "Money Tips", 3000000],
  ]);
});

Deno.test("q6b: one row, a tie between countries goes to the first name", async () => {
  // Albania and Korea both top at 3M.
  await assertQuery("q6b_country_with_top_user", [
    ["Albania", 3000000],
  ]);
});

Deno.test("q7: most popular category per age group, boundaries 24/25 35/36 50/51, no under-18", async () => {
  // 18-24: ages 20, 24, 24, 21, 24 -> art 2 (1, 5). 25-35: ages 25, 35, 30 -> art, travel,
  // vehicles tie at 1. 36-50: ages 36, 36, 50 -> finance 2 (5730, 6). +50: ages 51, 58 ->
  // beauty, travel tie at 1. Hana (17, post 8) has no group.
  await assertQuery("q7_popular_category_by_age_group", [
    ["18-24", "art", 2],
    ["25-35", "art", 1],
    ["25-35", "travel", 1],
    ["25-35", "vehicles", 1],
    ["36-50", "finance", 2],
    ["+50", "beauty", 1],
    ["+50", "travel", 1],
  ]);
});

Deno.test("q8: exact median followers per age group over posts, even groups averaged", async () => {
  // 18-24: 7000, 12000, 12000, 3000000 -> 12000. 25-35: 1500, 3000000 (12 has none) ->
  // 1500750. 36-50: 0, 875, 3000000 -> 875. +50: 2500000 (7 has none).
  await assertQuery("q8_median_followers_by_age_group", [
    ["18-24", 12000],
    ["25-35", 1500750],
    ["36-50", 875],
    ["+50", 2500000],
  ]);
});

Deno.test("q9: users joined per year 2015-2020, each (name, age, date_joined) once", async () => {
  // 2015: Abigail Ali 20 and Abigail Ali 21 (two people), Rachel, Finn. 2016: Ben (three rows,
  // two timestamp forms), Cara (delivered twice). 2017: Dan, Eve, Ivy. 2020: Hana. Gus (2014)
  // and Jo (2021) are outside.
  await assertQuery("q9_users_joined_by_year", [
    [2015, 4],
    [2016, 2],
    [2017, 3],
    [2020, 1],
  ]);
});

Deno.test("q10: median followers by join year, each user once with their max", async () => {
  // 2015: Rachel 0, Finn 3M, Abigail 21 3M (Abigail 20 has none) -> 3M. 2016: Ben max(12k,
  // 12k, 7k) = 12000 and Cara 1500 -> 6750. 2017: Dan 3M, Eve 875, Ivy 2.5M -> 2.5M.
  // 2020: Hana 7000.
  await assertQuery("q10_median_followers_by_join_year", [
    [2015, 3000000],
    [2016, 6750],
    [2017, 2500000],
    [2020, 7000],
  ]);
});

Deno.test("q11: median followers by age group and join year, each user once", async () => {
  // 36-50 in 2015: Rachel 0 and Finn 3M -> 1500000.
  await assertQuery("q11_median_followers_by_age_group_and_join_year", [
    ["18-24", 2015, 3000000],
    ["18-24", 2016, 12000],
    ["25-35", 2016, 1500],
    ["25-35", 2017, 3000000],
    ["36-50", 2015, 1500000],
    ["36-50", 2017, 875],
    ["+50", 2017, 2500000],
  ]);
});

Deno.test("the cleaned tables are written as Delta", async () => {
  await batch();
  for (const kind of ["pin", "geo", "user"]) {
    const log = await Deno.stat(`${dir}/out/delta/${kind}/_delta_log/00000000000000000000.json`);
    assert.ok(log.isFile, `${kind} Delta log`);
  }
});

Deno.test("scan mode counts raw rows and names a missing topic prefix", async () => {
  // The second (and last) Spark start of this file: the lake lacks the geo topic.
  const lake = await Deno.makeTempDir({ prefix: "batch_sql_test_missing_" });
  const files = fixtureFiles();
  await writeFileLake(
    lake,
    Object.fromEntries(
      Object.entries(files).filter(([p]) => !p.startsWith(topicPrefix(TOPICS.geo))),
    ),
  );
  const events: SparkEvent[] = [];
  const ctx = await stackContext(await loadConfig());
  await assert.rejects(
    runSparkJob(
      ctx,
      { mode: "scan", lake: toUri(`${lake}/${TOPICS_DIR}`), topics: TOPICS },
      (e) => {
        events.push(e);
      },
    ),
    (e: Error) => {
      assert.match(e.message, /^No \*\.json objects under file:\/\/.*fixture0batch\.geo/);
      return true;
    },
  );
  const read = events.find((e) => e.event === "step" && e.step === "read" && e.name === "pin");
  assert.equal(read && "rows" in read ? read.rows : undefined, 16);
  await Deno.remove(lake, { recursive: true });
});

Deno.test("the DAG's steps (load, clean, analytics) give the same tables as the one-shot job", async () => {
  const whole = await batch();
  const ctx = await stackContext(await loadConfig());
  const base = {
    lake: toUri(`${dir}/${TOPICS_DIR}`),
    topics: TOPICS,
    out: toUri(`${dir}/steps`),
    emitRows: 1000,
  };
  // Analytics before any clean step fails naming the step to run first.
  await assert.rejects(runSparkJob(ctx, { ...base, mode: "analytics" }), (e: Error) => {
    assert.match(
      e.message,
      /^No Delta table pin at file:\/\/.*\/steps\/delta\/pin: run the clean:pin/,
    );
    return true;
  });
  const load = await runSparkJob(ctx, { ...base, mode: "load" });
  const written = load.steps.filter((s) => s.step === "write").map((s) => s.name);
  assert.deepEqual(written, ["raw_pin", "raw_geo", "raw_user"]);
  const clean = await runSparkJob(ctx, { ...base, mode: "clean", kinds: ["pin", "geo", "user"] });
  const analytics = await runSparkJob(ctx, { ...base, mode: "analytics" });
  const steps = { ...clean.tables, ...analytics.tables };
  assert.deepEqual(Object.keys(steps), Object.keys(whole.tables));
  for (const [name, t] of Object.entries(whole.tables)) {
    assert.deepEqual(steps[name], t, name);
    if (t.stage !== "query") continue;
    const csv = (run: string) => Deno.readTextFile(`${dir}/${run}/${name}.csv`);
    assert.equal(await csv("steps"), await csv("out"), `${name}.csv`);
  }
});

Deno.test("the job on the Spark Connect server (--engine connect) gives the tables and CSV files of its own JVM, and the answer tables asked for", async () => {
  const whole = await batch();
  assert.equal(whole.engine, "local");
  const ctx = await stackContext(await loadConfig());
  const serverWasUp = (await serviceState(ctx, sparkConnect)).state !== "stopped";
  try {
    const served = await runSparkJob(ctx, {
      lake: toUri(`${dir}/${TOPICS_DIR}`),
      topics: TOPICS,
      out: toUri(`${dir}/served`),
      emitRows: 1000,
      engine: "connect",
      answerTables: true,
    });
    assert.match(served.engine, /^sc:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(served.tables, whole.tables);
    // The server counts the raw lines, its own JVM the records the JSON reader made of them.
    const reads = (r: SparkReport) =>
      r.steps.filter((s) => s.step === "read").map((s) => `${s.name} ${s.rows}`).sort();
    assert.deepEqual(reads(served), reads(whole));
    assert.deepEqual(reads(whole), ["geo 16", "pin 16", "user 16"]);
    for (const [name, t] of Object.entries(whole.tables)) {
      if (t.stage !== "query") continue;
      const csv = (run: string) => Deno.readTextFile(`${dir}/${run}/${name}.csv`);
      assert.equal(await csv("served"), await csv("out"), `${name}.csv`);
      const log = `${dir}/served/delta/${name}/_delta_log/00000000000000000000.json`;
      assert.ok((await Deno.stat(log)).isFile, `${name} answer table`);
    }
  } finally {
    // The server this test started goes with it; one that was up before stays for its owner.
    if (!serverWasUp) {
      await withServiceLock(ctx, sparkConnect, () => stopByPidFile(pidFile(ctx, sparkConnect)));
    }
  }
});
