/**
 * The analytics questions of SPEC §6 (Tasks 4-11) with their SQL files, and how a notebook shows
 * an answer: the SQL, the result table, and a chart when the answer is small enough to draw.
 *
 * @module
 */
import { barChart } from "./chart.ts";
import { showChart, showMarkdown, showTable } from "./display.ts";
import { type SparkReport, SQL_DIR } from "./spark.ts";

/** One analytics question. */
export interface Question {
  task: string;
  question: string;
  /** File name under sql/analytics, without `.sql`. */
  name: string;
}

/** Tasks 4-11 in order. */
export const QUESTIONS: Question[] = [
  {
    task: "4",
    question: "Most popular category in each country",
    name: "q4_popular_category_by_country",
  },
  {
    task: "5a",
    question: "Posts per category per year, 2018-2022",
    name: "q5a_posts_per_category_per_year",
  },
  {
    task: "5b",
    question: "Most popular category each year, 2018-2022",
    name: "q5b_popular_category_by_year",
  },
  {
    task: "6a",
    question: "User with most followers in each country",
    name: "q6a_top_user_by_country",
  },
  {
    task: "6b",
    question: "The country whose top user has most followers",
    name: "q6b_country_with_top_user",
  },
  {
    task: "7",
    question: "Most popular category per age group",
    name: "q7_popular_category_by_age_group",
  },
  {
    task: "8",
    question: "Median follower count per age group",
    name: "q8_median_followers_by_age_group",
  },
  { task: "9", question: "Users who joined each year, 2015-2020", name: "q9_users_joined_by_year" },
  {
    task: "10",
    question: "Median follower count by joining year, 2015-2020",
    name: "q10_median_followers_by_join_year",
  },
  {
    task: "11",
    question: "Median follower count by joining year and age group",
    name: "q11_median_followers_by_age_group_and_join_year",
  },
];

/** Shows one answer of a batch report: its SQL, its rows, and a bar chart of up to 15 rows. */
export async function showAnswer(report: SparkReport, name: string): Promise<void> {
  const q = QUESTIONS.find((x) => x.name === name);
  if (!q) {
    throw new Error(
      `Unknown question ${name}: choose one of ${QUESTIONS.map((x) => x.name).join(", ")}`,
    );
  }
  const result = report.tables[name];
  if (!result) {
    throw new Error(`The batch report has no result for ${name}: run the batch job first`);
  }
  const sql = await Deno.readTextFile(`${SQL_DIR}/analytics/${name}.sql`);
  showMarkdown(
    `**Task ${q.task}: ${q.question}** (\`sql/analytics/${name}.sql\`)\n\n\`\`\`sql\n${sql.trim()}\n\`\`\``,
  );
  showTable(result.rows, { caption: `${name}: ${result.rows.length} rows shown`, limit: 15 });
  const value = result.columns[result.columns.length - 1];
  const labels = result.columns.slice(0, -1);
  if (
    result.rows.length > 0 && result.rows.length <= 15 && typeof result.rows[0][value] === "number"
  ) {
    showChart(
      barChart({
        title: `Task ${q.task}: ${q.question}`,
        labels: result.rows.map((r) => labels.map((l) => String(r[l])).join(" · ")),
        values: result.rows.map((r) => Number(r[value])),
        unit: value,
        width: 760,
      }),
      result.rows.map((r) => `${labels.map((l) => r[l]).join(" ")}: ${r[value]}`).join("\n"),
    );
  }
}
