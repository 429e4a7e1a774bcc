/**
 * `deno task pipeline`: the main job. Brings the local stack up (installing what is missing),
 * seeds the source database, and runs each stage of the pipeline that has landed, printing
 * what each did.
 *
 * @module
 */
import { main, parseCount, parseFlags } from "./lib/core/cli.ts";
import { seedSource } from "./lib/source/seed.ts";
import { DEFAULT_ROWS } from "./lib/source/synthetic.ts";
import { statusTable, up } from "./lib/stack/stack.ts";
import { stackContext } from "./lib/stack/context.ts";
import { table } from "./lib/view/table.ts";
import { progressLine } from "./lib/view/progress.ts";
import { setupTopics } from "./lib/kafka/topics.ts";
import { setupConnector } from "./lib/lake/connector.ts";
import { emulate } from "./lib/emulator/emulator.ts";
import { countLake, waitForLake } from "./lib/lake/count.ts";
import { type Kind, KINDS } from "./lib/core/names.ts";
import { printBatchReport, runBatch } from "./lib/batch/batch.ts";
import { connectServer, envEngine } from "./lib/spark/engine.ts";
import { setupStreams } from "./lib/kinesis/streams.ts";
import { startStreamJob, waitForRecords } from "./lib/stream/job.ts";
import { streamSender } from "./lib/emulator/stream_sender.ts";
import { installFor } from "./lib/stack/needs.ts";

const USAGE = "deno task pipeline [--rows N] [--seed S] [--posts N]";
/** Posts the main job emulates by default: enough to fill every analytics answer. */
const DEFAULT_POSTS = 5000;
/** Posts sent down the streaming path. */
const STREAM_POSTS = 500;

if (import.meta.main) {
  await main(async () => {
    const { values } = parseFlags(
      Deno.args,
      { rows: { type: "string" }, seed: { type: "string" }, posts: { type: "string" } },
      USAGE,
    );
    const posts = parseCount("posts", values.posts, DEFAULT_POSTS, 1);
    const rows = parseCount("rows", values.rows, DEFAULT_ROWS, 1);
    const seed = parseCount("seed", values.seed, 1, 0);
    const started = performance.now();
    const timings: { stage: string; seconds: string; result: string }[] = [];
    const stage = async (name: string, fn: () => Promise<string>) => {
      console.log(`\n▶ ${name}`);
      const t = performance.now();
      const result = await fn();
      timings.push({ stage: name, seconds: ((performance.now() - t) / 1000).toFixed(1), result });
    };

    const ctx = await stackContext();
    await stage("install what the pipeline uses", async () => {
      await installFor(ctx, "pipeline");
      return "installed";
    });
    await stage("local stack up", async () => {
      const states = await up(ctx);
      console.log(statusTable(states));
      return `${
        states.filter((s) => s.state === "healthy").length
      }/${states.length} services healthy`;
    });
    // Asked for the Spark Connect server (PIPELINE_SPARK_ENGINE=connect), it starts while the
    // posts flow in, so the batch stage finds it up; its error, if any, is thrown there. By
    // default (auto) the batch runs on the server if it is already up, else in its own JVM.
    const sparkReady = envEngine() === "connect" ? connectServer(ctx) : undefined;
    sparkReady?.catch(() => {});
    // The stream job's JVM and session take 10-15 s to start: started now, in the background,
    // they overlap the source, the emulation and the batch instead of adding to them, niced so
    // the batch on the critical path keeps the CPU. Its streams are created first; its start-up error, if any, is thrown by the
    // streaming stage. Should an earlier stage fail, the driver stops when this process's end
    // closes its stdin.
    const streams = await setupStreams(ctx.cfg);
    // 500 posts are a few seconds of work: the small-data JVM settings, as the batch's.
    const streamJob = startStreamJob(ctx, { nice: 10, quick: true });
    streamJob.then((job) => job.ready).catch(() => {});
    await stage("seed source database", async () => {
      const progress = progressLine("rows");
      const r = await seedSource(ctx.cfg, { rows, seed, onProgress: progress.update });
      progress.done();
      return Object.entries(r.counts).map(([t, n]) => `${t} ${n}`).join(", ");
    });

    await stage("create Kafka topics", async () => {
      const topics = await setupTopics(ctx.cfg);
      console.log(table(topics.map((t) => ({ ...t }))));
      return topics.map((t) => `${t.topic} ${t.status}`).join(", ");
    });
    await stage("register the S3 sink connector", async () => {
      const r = await setupConnector(ctx.cfg);
      return `${r.name} ${r.connector}, ${r.status.connector.state}, bucket ${r.bucket}`;
    });
    let acknowledged = 0;
    const before = await countLake(ctx.cfg);
    await stage(`emulate ${posts} posts through the API`, async () => {
      const progress = progressLine("posts");
      const r = await emulate(ctx.cfg, {
        count: posts,
        rate: 0,
        batch: 100,
        concurrency: 4,
        seed,
        keepKeys: false,
        onProgress: (p) => progress.update(p.acknowledged, posts, `${p.failed} failed`),
      });
      progress.done();
      acknowledged = r.acknowledged;
      if (r.failed) throw new Error(`${r.failed} posts failed: ${r.errors.join("; ")}`);
      return `${r.acknowledged} acknowledged, ${Math.round(r.postsPerSecond)} posts/s`;
    });
    await stage("wait for the lake", async () => {
      const target = Object.fromEntries(KINDS.map((k) => [k, before[k].records + acknowledged]));
      const counts = await waitForLake(
        ctx.cfg,
        target as Record<typeof KINDS[number], number>,
        60_000,
      );
      return KINDS.map((k) => `${k} ${counts[k].records} records in ${counts[k].objects} objects`)
        .join(", ");
    });

    await stage("batch: clean with Spark SQL and answer the analytics questions", async () => {
      await sparkReady;
      const { report, out } = await runBatch(ctx.cfg, { show: 20 });
      printBatchReport(report, out, "batch");
      const queries = report.steps.filter((s) => s.step === "query").length;
      return `${queries} answers as CSV under ${out}`;
    });

    await stage("streaming: Kinesis -> Spark Structured Streaming -> Delta tables", async () => {
      console.log(table(streams.map((st) => ({ ...st }))));
      const job = await streamJob;
      try {
        await job.ready;
        const r = await emulate(ctx.cfg, {
          count: STREAM_POSTS,
          rate: 0,
          batch: 50,
          concurrency: 2,
          seed,
          keepKeys: false,
          sender: streamSender(ctx.cfg, { putRecords: true }),
        });
        if (r.failed) throw new Error(`${r.failed} stream posts failed: ${r.errors.join("; ")}`);
        const sent = Object.fromEntries(KINDS.map((k) => [k, r.acknowledged]));
        const counts = await waitForRecords(job, sent as Record<Kind, number>, {
          timeoutSeconds: 180,
        });
        console.log(
          table(KINDS.map((k) => ({ table: ctx.cfg.names.streamTables[k], rows: counts[k] }))),
        );
        return `${r.acknowledged} posts sent; ` +
          KINDS.map((k) => `${ctx.cfg.names.streamTables[k]} ${counts[k]} rows`).join(", ");
      } finally {
        await job.stop();
      }
    });

    console.log(`\nPipeline finished in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    console.log(table(timings));
  });
}
