/**
 * The synthetic source of docs/spec.md §2: three aligned tables with the shape and the dirt of the
 * private course data, generated deterministically from a seed at any size.
 *
 * Words, names and countries come from faker-js's English lists; the choices are made by a
 * per-row PRNG ({@linkcode Rng}) so that a million rows take seconds and row k never depends
 * on how many rows were asked for.
 *
 * @module
 */
import { faker } from "@faker-js/faker";
import { Rng } from "../core/rng.ts";

/** A row of `pinterest_data`. */
export interface PinRow {
  index: number;
  unique_id: string;
  title: string;
  description: string;
  poster_name: string;
  follower_count: string;
  tag_list: string;
  is_image_or_video: string;
  image_src: string;
  downloaded: number;
  save_location: string;
  category: string;
}

/** A row of `geolocation_data`; `timestamp` as `YYYY-MM-DD HH:MM:SS`. */
export interface GeoRow {
  ind: number;
  timestamp: string;
  latitude: number;
  longitude: number;
  country: string;
}

/** A row of `user_data`; `date_joined` as `YYYY-MM-DD HH:MM:SS`. */
export interface UserRow {
  ind: number;
  first_name: string;
  last_name: string;
  age: number;
  date_joined: string;
}

/** The three rows describing post k. */
export interface Post {
  pin: PinRow;
  geo: GeoRow;
  user: UserRow;
}

/** The 13 categories of the source. */
export const CATEGORIES = [
  "art",
  "beauty",
  "christmas",
  "diy-and-crafts",
  "education",
  "event-planning",
  "finance",
  "home-decor",
  "mens-fashion",
  "quotes",
  "tattoos",
  "travel",
  "vehicles",
] as const;

/** The placeholders of docs/spec.md §2 that cleaning turns into nulls. */
export const PLACEHOLDERS = {
  title: "No Title Data Available",
  descriptionStory: "No description available Story format",
  description: "No description available",
  untitled: "Untitled",
  userInfoError: "User Info Error",
  tagList: "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",
  imageSrc: "Image src error.",
} as const;

/** `is_image_or_video` of story-format posts. */
export const STORY_FORMAT = "multi-video(story page format)";

/** Default number of rows per table (the course data had about 11,150). */
export const DEFAULT_ROWS = 11_153;

/**
 * Probabilities of each kind of dirt. Follower-count forms are drawn per poster, so the row
 * shares follow them closely; docs/spec.md §2 gives the targets (74% k, 17% digits, 7% M, 1.5%
 * error).
 */
export const RATES = {
  story: 0.011,
  posterError: 0.004,
  followerK: 0.755,
  followerDigits: 0.17,
  followerM: 0.07,
  followerEmpty: 0.005,
  zeroAmongDigits: 0.2,
  title: 0.012,
  descriptionMissing: 0.01,
  untitled: 0.006,
  tagList: 0.014,
  imageSrc: 0.012,
  empty: 0.004,
  video: 0.22,
} as const;

const defs = (faker as unknown as {
  rawDefinitions: {
    location: { country: string[] };
    person: { first_name: { generic: string[] }; last_name: { generic: string[] } };
    word: Record<"adjective" | "noun" | "verb", string[]>;
    company: { noun: string[]; adjective: string[] };
  };
}).rawDefinitions;

/**
 * About 250 country names in the style of Python's Faker, which the course data used: faker-js's
 * list with the odd spellings docs/spec.md §2 names (`Antarctica (the territory South of 60 deg
 * S)`, plain `Korea`).
 */
export const COUNTRIES: readonly string[] = [
  ...defs.location.country.map((c) =>
    c === "Antarctica" ? "Antarctica (the territory South of 60 deg S)" : c
  ),
  "Korea",
];

const FIRST = defs.person.first_name.generic;
const LAST = defs.person.last_name.generic;
const ADJ = defs.word.adjective;
const NOUN = defs.word.noun;
const VERB = defs.word.verb;

const TABLE = { pin: 1, poster: 2, geo: 3, user: 4, person: 5 } as const;

const T2017 = Date.UTC(2017, 0, 1) / 1000;
const T2023 = Date.UTC(2023, 0, 1) / 1000;
const T2015 = Date.UTC(2015, 0, 1) / 1000;
const T2018 = Date.UTC(2018, 0, 1) / 1000;

/** Formats epoch seconds as MySQL DATETIME text in UTC. */
export function datetimeText(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

function uuid(r: Rng): string {
  return `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${"89ab"[r.int(0, 3)]}${r.hex(3)}-${r.hex(12)}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface Poster {
  name: string;
  followers: string;
}

/** A poster (account) shared by many pins: same name and follower count on every pin. */
function poster(seed: number, id: number): Poster {
  const r = new Rng(seed, TABLE.poster, id);
  if (r.chance(RATES.posterError)) {
    return { name: PLACEHOLDERS.userInfoError, followers: PLACEHOLDERS.userInfoError };
  }
  const style = r.next();
  const name = style < 0.4
    ? `${r.pick(FIRST)} ${r.pick(LAST)}`
    : style < 0.75
    ? `${capitalize(r.pick(ADJ))} ${capitalize(r.pick(NOUN))}`
    : `The ${capitalize(r.pick(NOUN))} ${capitalize(r.pick(NOUN))}`;
  const f = r.next();
  let followers: string;
  if (f < RATES.followerK) {
    // Log-uniform 1k..999k, a tenth of them with one decimal like the "1.5k" form.
    const n = Math.exp(r.next() * Math.log(999));
    followers = r.chance(0.1) && n < 100
      ? `${Math.round(n * 10) / 10}k`
      : `${Math.max(1, Math.round(n))}k`;
  } else if (f < RATES.followerK + RATES.followerDigits) {
    followers = r.chance(RATES.zeroAmongDigits) ? "0" : String(r.int(1, 999));
  } else if (f < RATES.followerK + RATES.followerDigits + RATES.followerM) {
    followers = `${r.int(1, 15)}M`;
  } else if (f < RATES.followerK + RATES.followerDigits + RATES.followerM + RATES.followerEmpty) {
    followers = "";
  } else {
    followers = PLACEHOLDERS.userInfoError;
  }
  return { name, followers };
}

function phrase(r: Rng, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(r.pick(i % 3 === 0 ? ADJ : i % 3 === 1 ? NOUN : VERB));
  return out.join(" ");
}

/** Generates row `index` of `pinterest_data`. */
export function pinRow(seed: number, index: number): PinRow {
  const canonical = CANONICAL_PINS[index];
  if (canonical) return { ...canonical };
  const r = new Rng(seed, TABLE.pin, index);
  const category = r.pick(CATEGORIES);
  const unique_id = uuid(r);
  const save_location = `Local save in /data/${category}`;
  if (r.chance(RATES.story)) {
    return {
      index,
      unique_id,
      title: PLACEHOLDERS.title,
      description: PLACEHOLDERS.descriptionStory,
      poster_name: PLACEHOLDERS.userInfoError,
      follower_count: PLACEHOLDERS.userInfoError,
      tag_list: PLACEHOLDERS.tagList,
      is_image_or_video: STORY_FORMAT,
      image_src: PLACEHOLDERS.imageSrc,
      downloaded: 0,
      save_location,
      category,
    };
  }
  // Earlier posters recur: post k picks among the first 40% of k accounts (plus a few).
  const p = poster(seed, r.int(0, Math.floor(index * 0.4) + 10));
  const title = r.chance(RATES.title)
    ? PLACEHOLDERS.title
    : r.chance(RATES.empty)
    ? ""
    : capitalize(phrase(r, r.int(2, 7)));
  const d = r.next();
  const description = d < RATES.descriptionMissing
    ? PLACEHOLDERS.description
    : d < RATES.descriptionMissing + RATES.untitled
    ? PLACEHOLDERS.untitled
    : d < RATES.descriptionMissing + RATES.untitled + RATES.empty
    ? ""
    : `${capitalize(phrase(r, r.int(6, 20)))}.`;
  const t = r.next();
  const tag_list = t < RATES.tagList
    ? PLACEHOLDERS.tagList
    : t < RATES.tagList + RATES.empty
    ? ""
    : Array.from({ length: r.int(3, 9) }, () => `${capitalize(r.pick(ADJ))} ${r.pick(NOUN)}`)
      .join(",");
  const imageError = r.chance(RATES.imageSrc);
  const image_src = imageError
    ? PLACEHOLDERS.imageSrc
    : `https://i.pinimg.com/originals/${r.hex(2)}/${r.hex(2)}/${r.hex(2)}/${r.hex(32)}.jpg`;
  return {
    index,
    unique_id,
    title,
    description,
    poster_name: p.name,
    follower_count: p.followers,
    tag_list,
    is_image_or_video: r.chance(RATES.video) ? "video" : "image",
    image_src,
    downloaded: imageError ? 0 : 1,
    save_location,
    category,
  };
}

/** Generates row `ind` of `geolocation_data`. */
export function geoRow(seed: number, ind: number): GeoRow {
  const canonical = CANONICAL_GEOS[ind];
  if (canonical) return { ...canonical };
  const r = new Rng(seed, TABLE.geo, ind);
  return {
    ind,
    timestamp: datetimeText(r.int(T2017, T2023 - 1)),
    latitude: Math.round((r.next() * 180 - 90) * 1e4) / 1e4,
    longitude: Math.round((r.next() * 360 - 180) * 1e3) / 1e3,
    country: r.pick(COUNTRIES),
  };
}

/** Generates row `ind` of `user_data`; people recur on several rows. */
export function userRow(seed: number, ind: number): UserRow {
  const canonical = CANONICAL_USERS[ind];
  if (canonical) return { ...canonical };
  const person = new Rng(seed, TABLE.user, ind).int(0, Math.floor(ind * 0.5) + 10);
  const r = new Rng(seed, TABLE.person, person);
  return {
    ind,
    first_name: r.pick(FIRST),
    last_name: r.pick(LAST),
    age: r.int(20, 59),
    date_joined: datetimeText(r.int(T2015, T2018 - 1)),
  };
}

/** Generates the aligned triple for post k. */
export function post(seed: number, k: number): Post {
  return { pin: pinRow(seed, k), geo: geoRow(seed, k), user: userRow(seed, k) };
}

/** The two canonical rows seen in many READMEs (docs/spec.md §2), at their indices. */
export const CANONICAL_PINS: Record<number, PinRow> = {
  7528: {
    index: 7528,
    unique_id: "fbe53c66-3442-4773-b19e-d3ec6f54dddf",
    title: PLACEHOLDERS.title,
    description: PLACEHOLDERS.descriptionStory,
    poster_name: PLACEHOLDERS.userInfoError,
    follower_count: PLACEHOLDERS.userInfoError,
    tag_list: PLACEHOLDERS.tagList,
    is_image_or_video: STORY_FORMAT,
    image_src: PLACEHOLDERS.imageSrc,
    downloaded: 0,
    save_location: "Local save in /data/mens-fashion",
    category: "mens-fashion",
  },
  5730: {
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
  },
};

/** Geo rows of the canonical posts. */
export const CANONICAL_GEOS: Record<number, GeoRow> = {
  7528: {
    ind: 7528,
    timestamp: "2020-08-28 03:52:47",
    latitude: -89.9787,
    longitude: -173.293,
    country: "Albania",
  },
  5730: {
    ind: 5730,
    timestamp: "2021-04-19 17:37:03",
    latitude: -77.015,
    longitude: -101.437,
    country: "Colombia",
  },
};

/** User rows of the canonical posts. */
export const CANONICAL_USERS: Record<number, UserRow> = {
  7528: {
    ind: 7528,
    first_name: "Abigail",
    last_name: "Ali",
    age: 20,
    date_joined: "2015-10-24 11:23:51",
  },
  5730: {
    ind: 5730,
    first_name: "Rachel",
    last_name: "Davis",
    age: 36,
    date_joined: "2015-12-08 20:02:43",
  },
};
