/**
 * Reliability, round 2 (issue #19): a task of the Airflow DAG that fails. The failure is
 * injected by the `deno` the tasks run (PIPELINE_DENO names a wrapper that fails one step's
 * first try, or every try, saying so as a deno task does), and `deno task dag:test` runs the DAG
 * as a person does, with 1 retry 3 s apart. Failing once, the task is retried by Airflow and the
 * run succeeds with the answers; failing always, the run fails and dag:test names the task and
 * the reason.
 */
import assert from "node:assert/strict";
import { batchOutDir } from "../../scripts/lib/batch/batch.ts";
import { dagRunStates } from "../../scripts/lib/dag/run.ts";
import { QUESTIONS } from "../../scripts/lib/batch/questions.ts";
import { reportFault } from "../../scripts/lib/faults/report.ts";
import { runTask, startStack, type TestStack, testUserId } from "../harness.ts";
import { writeS3Lake } from "../fixtures/lake.ts";
import { deltaStates } from "../fixtures/delta_log.ts";
import { KINDS } from "../../scripts/lib/core/names.ts";

const POSTS = 1500;
/** The task that fails once (a middle one, so the retry is seen among parallel tasks). */
const STEP = "clean:geo";
const TASK = "clean_geo";
/** The task that keeps failing: the first, so the failing run does not wait for Spark. */
const ALWAYS_STEP = "load";
const ALWAYS_TASK = "load_lake";

/** A `deno` that fails `batch --step <step>` on its first `failures` tries, then is deno. */
async function failingDeno(dir: string, step: string, failures: number): Promise<string> {
  const file = `${dir}/deno-failing-${step.replace(":", "-")}-${failures}`;
  await Deno.writeTextFile(
    file,
    `#!/bin/sh
case " $* " in *" --step ${step} "*)
  n=$(cat "${file}.tries" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"${file}.tries"
  if [ "$n" -le ${failures} ]; then
    echo "✘ Injected failure of ${step}, try $n of the first ${failures}" >&2
    exit 1
  fi;;
esac
exec ${JSON.stringify(Deno.execPath())} "$@"
`,
    { mode: 0o755 },
  );
  return file;
}

Deno.test({
  name: "faults: a DAG task failing once is retried and the run succeeds; failing always, not",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let stack: TestStack | undefined;
    const dir = await Deno.makeTempDir({ prefix: "dag-faults-" });
    try {
      stack = await startStack(["minio"], { userId: testUserId("fault-dag") });
      const { cfg, ctx } = stack;
      await writeS3Lake(cfg, POSTS);
      const dagTest = async (step: string, failures: number, date: string) => {
        const started = performance.now();
        const run = await runTask("dag:test", ["--date", date, "--retries", "1"], {
          PIPELINE_USER_ID: cfg.userId,
          PIPELINE_DENO: await failingDeno(dir, step, failures),
          PIPELINE_DAG_RETRY_DELAY: "3",
        });
        const states = await dagRunStates(ctx, date);
        const tries = Object.fromEntries(states.tasks.map((t) => [t.taskId, t]));
        return { ...run, states, tries, seconds: (performance.now() - started) / 1000 };
      };

      await t.step(`${TASK} fails once: Airflow retries it and the run succeeds`, async () => {
        const before = Date.now();
        const run = await dagTest(STEP, 1, "2024-07-01");
        assert.equal(run.code, 0, run.output);
        assert.equal(run.states.state, "success");
        assert.equal(run.tries[TASK].state, "success");
        assert.equal(run.tries[TASK].tryNumber, 2, `${TASK} ran twice`);
        for (const [id, task] of Object.entries(run.tries)) {
          if (id !== TASK) assert.equal(task.tryNumber, 1, `${id} ran once`);
        }
        assert.match(run.output, new RegExp(`Injected failure of ${STEP}, try 1`));
        assert.match(run.output, /✔ Every task of .* succeeded/);
        for (const q of QUESTIONS) {
          const file = `${batchOutDir(cfg)}/${q.name}.csv`;
          assert.ok((await Deno.stat(file)).mtime!.getTime() >= before, `${q.name}.csv rewritten`);
        }
        // Every post of the lake once in each cleaned table, by the rows of its Delta log (the
        // lake's posts have distinct keys).
        const tables = await deltaStates(batchOutDir(cfg));
        for (const k of KINDS) assert.equal(tables[k].rows, POSTS, `${k} rows`);
        await reportFault(cfg, {
          case: "DAG task fails once",
          injected: `${TASK} fails its first try (the deno it runs exits 1); 1 retry 3 s apart`,
          sent: POSTS,
          found: Math.min(tables.pin.rows, POSTS),
          lost: Math.max(0, POSTS - tables.pin.rows),
          doubled: Math.max(0, tables.pin.rows - POSTS),
          measured: {
            "counted by": "rows of the cleaned Delta tables",
            [`${TASK} tries`]: run.tries[TASK].tryNumber,
            "dag:test s": run.seconds.toFixed(1),
          },
        });
      });

      await t.step(
        `${ALWAYS_TASK} fails every try: the run fails, dag:test names it and why`,
        async () => {
          const run = await dagTest(ALWAYS_STEP, 99, "2024-07-02");
          assert.equal(run.code, 1, run.output);
          assert.equal(run.states.state, "failed");
          assert.equal(run.tries[ALWAYS_TASK].state, "failed");
          assert.equal(run.tries[ALWAYS_TASK].tryNumber, 2, "tried, then retried once");
          assert.equal(run.tries.analytics.state, "upstream_failed");
          assert.match(run.output, new RegExp(`Injected failure of ${ALWAYS_STEP}, try 2`));
          assert.match(run.output, new RegExp(`failed for 2024-07-02: ${ALWAYS_TASK} failed`));
          console.log(`  the failing run took ${run.seconds.toFixed(1)} s`);
        },
      );
    } finally {
      await stack?.release();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
