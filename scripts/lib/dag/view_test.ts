import assert from "node:assert/strict";
import type { DagInfo } from "./inspect.ts";
import { answerFiles, describeTasks } from "./view.ts";

const task = (taskId: string, upstream: string[], extra: Partial<DagInfo["tasks"][0]>) => ({
  taskId,
  upstream,
  operator: "BashOperator",
  retries: 2,
  retryDelaySeconds: 120,
  ...extra,
});

Deno.test("describeTasks shows the command of a local task and the step of a Databricks one", () => {
  const job = { mode: "clean", kinds: ["pin"], session: "existing" };
  const dag = {
    tasks: [
      task("load_lake", [], {
        bashCommand: "/usr/lib/node_modules/deno/deno task -q batch --step load",
      }),
      task("clean_pin", ["load_lake"], {
        operator: "DatabricksSubmitRunOperator",
        databricks: {
          existing_cluster_id: "0601-abc",
          spark_python_task: {
            python_file: "/Workspace/Repos/me/p/scripts/spark/batch_job.py",
            parameters: ["--job", JSON.stringify(job)],
          },
        },
      }),
    ],
  } as DagInfo;
  const rows = describeTasks(dag);
  assert.equal(rows[0].runs, "deno task -q batch --step load");
  assert.equal(rows[0]["retry delay"], "2 min");
  assert.equal(rows[1].runs, "batch_job.py step clean:pin on cluster 0601-abc");
  assert.equal(rows[1].upstream, "load_lake");
});

Deno.test("answerFiles reads every answer CSV in task order and marks missing ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dag_view_test_" });
  try {
    await Deno.writeTextFile(
      `${dir}/q4_popular_category_by_country.csv`,
      "country,category\nA,b\nC,d\n",
    );
    const files = await answerFiles(dir);
    assert.equal(files.length, 10);
    assert.equal(files[0].name, "q4_popular_category_by_country");
    assert.equal(files[0].header, "country,category");
    assert.equal(files[0].rows, 2);
    assert.equal(files.at(-1)!.name, "q11_median_followers_by_age_group_and_join_year");
    assert.equal(files.at(-1)!.rows, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
