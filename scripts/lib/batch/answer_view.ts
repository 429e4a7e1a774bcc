/**
 * How a notebook shows one answer: its SQL, its rows, and a bar chart when it is small enough.
 *
 * @module
 */
import { barChart } from "../view/chart.ts";
import { showChart, showMarkdown, showTable } from "../view/display.ts";
import type { SparkReport } from "../spark/events.ts";
import { SQL_DIR } from "../core/paths.ts";
import { question } from "./questions.ts";

/** Shows one answer of a batch report: its SQL, its rows, and a bar chart of up to 15 rows. */
export async function showAnswer(report: SparkReport, name: string): Promise<void> {
  const q = question(name);
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
