/**
 * The `follower_count` forms of the source (docs/spec.md §2, §5), defined once: plain digits,
 * or a number with a `k`/`M` suffix (either case), which the cleaning turns into a count;
 * anything else (`User Info Error`, empty) has none. Spark SQL has no shared constants, so
 * sql/clean/pin.sql writes the same two patterns; `follower_count_test.ts` keeps them equal.
 *
 * @module
 */

/** Plain digits: the count itself. */
export const FOLLOWER_DIGITS = "^[0-9]+$";
/** A number with a thousands (`k`) or millions (`M`) suffix, in either case. */
export const FOLLOWER_SUFFIXED = "^[0-9]+([.][0-9]+)?[kKmM]$";

/** The form of a raw value, as the source profile counts them. */
export type FollowerForm = "digits" | "<n>k" | "<n>M" | "other";

/**
 * The form of one raw `follower_count`.
 *
 * @example
 * ```ts
 * import { followerForm } from "./follower_count.ts";
 * followerForm("1.5k"); // "<n>k"
 * followerForm("3m"); // "<n>M"
 * followerForm("User Info Error"); // "other"
 * ```
 */
export function followerForm(raw: string): FollowerForm {
  if (new RegExp(FOLLOWER_DIGITS).test(raw)) return "digits";
  if (!new RegExp(FOLLOWER_SUFFIXED).test(raw)) return "other";
  return raw.slice(-1).toUpperCase() === "K" ? "<n>k" : "<n>M";
}

/**
 * The count a raw `follower_count` stands for, as sql/clean/pin.sql computes it (rounded), or
 * null when it has none.
 *
 * @example
 * ```ts
 * import { followerCount } from "./follower_count.ts";
 * followerCount("1.5k"); // 1500
 * followerCount("3M"); // 3000000
 * followerCount("User Info Error"); // null
 * ```
 */
export function followerCount(raw: string): number | null {
  const value = raw.trim();
  const form = followerForm(value);
  if (form === "digits") return Number(value);
  if (form === "other") return null;
  return Math.round(Number(value.slice(0, -1)) * (form === "<n>k" ? 1000 : 1_000_000));
}
