/**
 * Reliability, round 2 (issue #19): the batch job SIGKILLed (driver and JVM) while it writes the
 * cleaned tables. The lake has grown since the last run, so a torn write would show: every Delta
 * table must read, from its transaction log, either at its previous version with its previous
 * rows or at a complete new one, and the next run must complete with each acknowledged post
 * exactly once in the cleaned tables.
 */
import assert from "node:assert/strict";
import { runBatch } from "../../scripts/lib/batch/batch.ts";
import { type Kind, KINDS } from "../../scripts/lib/core/names.ts";
import { seedSource } from "../../scripts/lib/source/seed.ts";
import { DEFAULT_ROWS } from "../../scripts/lib/source/synthetic.ts";
import { emulate } from "../../scripts/lib/emulator/emulator.ts";
import { waitForLake } from "../../scripts/lib/lake/count.ts";
import { reportFault, tally } from "../../scripts/lib/faults/report.ts";
import { startStack, type TestStack } from "../harness.ts";
import { type Case, expectedIds, ID, newCase } from "./cases.ts";
import { type DeltaState, deltaStates } from "../fixtures/delta_log.ts";

/** SIGKILLs this process's batch driver and its JVM, the JVM first (as a crash would). */
async function killBatchDriver(): Promise<number> {
  const children = async (ppid: number) => {
    const out = await new Deno.Command("ps", {
      args: ["-o", "pid=,args=", "--ppid", String(ppid)],
      stdout: "piped",
    }).output();
    return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean).map((l) => {
      const [pid, ...args] = l.trim().split(/\s+/);
      return { pid: Number(pid), args: args.join(" ") };
    });
  };
  const driver = (await children(Deno.pid)).find((p) => p.args.includes("batch_job.py"));
  assert.ok(driver, "the batch driver is a child of this test");
  for (const jvm of await children(driver.pid)) Deno.kill(jvm.pid, "SIGKILL");
  Deno.kill(driver.pid, "SIGKILL");
  return driver.pid;
}

/** Posts through the case's API, then waits until the lake holds them beside `landed`. */
async function land(c: Case, count: number, seed: number, landed: number): Promise<number[]> {
  const s = await emulate(c.cfg, { apiUrl: c.api.url, count, rate: 0, batch: 25, seed });
  assert.equal(s.failed, 0);
  const n = landed + s.acknowledged;
  await waitForLake(c.cfg, { pin: n, geo: n, user: n }, 120_000);
  return s.keys;
}

Deno.test({
  name: "faults: the batch job SIGKILLed while writing the cleaned tables; Delta stays whole",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let stack: TestStack | undefined;
    let c: Case | undefined;
    const out = await Deno.makeTempDir({ prefix: "fault-batch-job-" });
    try {
      stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"]);
      await seedSource(stack.cfg, { rows: DEFAULT_ROWS, seed: 1 });
      c = await newCase("fault-batchjob");
      const keys = await land(c, 1000, 31, 0);
      await runBatch(c.cfg, { out, engine: "local" });
      const before = await deltaStates(out);
      keys.push(...await land(c, 500, 32, keys.length));

      let killedAt = "";
      let after: Record<string, DeltaState> = {};
      await t.step("SIGKILL once the first cleaned table is written", async () => {
        let killing: Promise<number> | undefined;
        await assert.rejects(() =>
          runBatch(c!.cfg, {
            out,
            // The driver's own JVM dies with it; a Spark Connect server would finish the write.
            engine: "local",
            onEvent: (e) => {
              if (!killing && e.event === "step" && e.step === "write" && e.name === KINDS[0]) {
                killedAt = `after writing ${e.name}`;
                killing = killBatchDriver();
              }
            },
          })
        );
        assert.ok(killing, "the run was killed");
        after = await deltaStates(out);
        assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
        for (const [name, was] of Object.entries(before)) {
          const now = after[name];
          if (now.version === was.version) {
            assert.equal(now.rows, was.rows, `${name} at its previous version, previous rows`);
          } else {
            assert.equal(now.version, was.version + 1, `${name}: one complete new version`);
          }
        }
        assert.equal(after[KINDS[0]].version, before[KINDS[0]].version + 1, "written before");
        assert.ok(
          Object.entries(after).some(([n, s]) => s.version === before[n].version),
          "the kill left some table unwritten",
        );
      });

      await t.step("the next run completes with each post exactly once", async () => {
        const { report } = await runBatch(c!.cfg, { out, show: 5000, engine: "local" });
        const want = await expectedIds(c!.cfg, keys);
        const cleaned = Object.fromEntries(
          KINDS.map((k) => [k, tally(want[k], report.tables[k].rows.map((r) => String(r[ID[k]])))]),
        ) as Record<Kind, ReturnType<typeof tally>>;
        const final = await deltaStates(out);
        for (const k of KINDS) {
          assert.equal(cleaned[k].lost, 0, `${k} posts missing`);
          assert.equal(cleaned[k].doubled, 0, `${k} posts twice`);
          assert.equal(final[k].rows, cleaned[k].sent, `${k}: the table holds only those posts`);
        }
        const unwritten = Object.entries(after).filter(([n, s]) => s.version === before[n].version);
        await reportFault(c!.cfg, {
          case: "batch job killed mid-write",
          injected: `SIGKILL the batch job (driver and JVM) ${killedAt}, the lake grown by 500 ` +
            "posts since the last run",
          ...cleaned.pin,
          measured: {
            "tables left at their previous version": `${unwritten.length} of ${
              Object.keys(after).length
            }`,
          },
        });
      });
    } finally {
      await c?.api.close();
      await stack?.release();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});
