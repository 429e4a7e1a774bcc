/**
 * The analytics questions of docs/spec.md §6 (Tasks 4-11), defined once: each with its SQL file
 * and its exact output columns, which the tests check every engine's answers against.
 *
 * @module
 */

/** One analytics question. */
export interface Question {
  task: string;
  question: string;
  /** File name under sql/analytics, without `.sql`. */
  name: string;
  /** The answer's columns, exactly and in order. */
  columns: string[];
}

/** Tasks 4-11 in order. */
export const QUESTIONS: Question[] = [
  {
    task: "4",
    question: "Most popular category in each country",
    name: "q4_popular_category_by_country",
    columns: ["country", "category", "category_count"],
  },
  {
    task: "5a",
    question: "Posts per category per year, 2018-2022",
    name: "q5a_posts_per_category_per_year",
    columns: ["post_year", "category", "category_count"],
  },
  {
    task: "5b",
    question: "Most popular category each year, 2018-2022",
    name: "q5b_popular_category_by_year",
    columns: ["post_year", "category", "category_count"],
  },
  {
    task: "6a",
    question: "User with most followers in each country",
    name: "q6a_top_user_by_country",
    columns: ["country", "poster_name", "follower_count"],
  },
  {
    task: "6b",
    question: "The country whose top user has most followers",
    name: "q6b_country_with_top_user",
    columns: ["country", "follower_count"],
  },
  {
    task: "7",
    question: "Most popular category per age group",
    name: "q7_popular_category_by_age_group",
    columns: ["age_group", "category", "category_count"],
  },
  {
    task: "8",
    question: "Median follower count per age group",
    name: "q8_median_followers_by_age_group",
    columns: ["age_group", "median_follower_count"],
  },
  {
    task: "9",
    question: "Users who joined each year, 2015-2020",
    name: "q9_users_joined_by_year",
    columns: ["post_year", "number_users_joined"],
  },
  {
    task: "10",
    question: "Median follower count by joining year, 2015-2020",
    name: "q10_median_followers_by_join_year",
    columns: ["post_year", "median_follower_count"],
  },
  {
    task: "11",
    question: "Median follower count by joining year and age group",
    name: "q11_median_followers_by_age_group_and_join_year",
    columns: ["age_group", "post_year", "median_follower_count"],
  },
];

/**
 * One question by its SQL file name; throws naming the known ones otherwise.
 *
 * @example
 * ```ts
 * import { question } from "./questions.ts";
 * question("q9_users_joined_by_year").columns; // ["post_year", "number_users_joined"]
 * ```
 */
export function question(name: string): Question {
  const q = QUESTIONS.find((x) => x.name === name);
  if (!q) {
    throw new Error(
      `Unknown question ${name}: choose one of ${QUESTIONS.map((x) => x.name).join(", ")}`,
    );
  }
  return q;
}
