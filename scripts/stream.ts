/**
 * `deno task stream [--trigger S] [--duration S]`: the stream job in the foreground: Spark
 * Structured Streaming reads the three Kinesis streams from the earliest record, cleans every
 * micro-batch with sql/clean and appends the new rows to the Delta tables of docs/spec.md §1.
 * Ctrl-C (or SIGTERM) stops it after the micro-batch in flight; a restart resumes from the
 * checkpoints.
 *
 * @module
 */
import { main, parseFlags, parseNumber } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { KINDS } from "./lib/core/names.ts";
import { stackContext } from "./lib/stack/context.ts";
import { startStreamJob } from "./lib/stream/job.ts";
import { type StreamEvent } from "./lib/stream/events.ts";
import { table } from "./lib/view/table.ts";
import { installFor } from "./lib/stack/needs.ts";

const USAGE = "deno task stream [--trigger SECONDS] [--duration SECONDS]";

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseFlags(Deno.args, {
      trigger: { type: "string" },
      duration: { type: "string" },
      help: { type: "boolean", short: "h" },
    }, USAGE);
    if (values.help) {
      return console.log(`Usage: ${USAGE}

Streams the pin, geo and user Kinesis streams into Delta tables with Spark, cleaning each
micro-batch with sql/clean (the batch rules). Records that are not JSON objects with a source
key go to the dead-letter directory. Ctrl-C stops after the micro-batch in flight.
  --trigger S    seconds between micro-batches (default 1)
  --duration S   stop by itself after S seconds (default: run until stopped)`);
    }
    if (positionals.length) {
      throw new Error(`Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${USAGE}`);
    }
    const trigger = parseNumber("trigger", values.trigger, { positive: true });
    const duration = parseNumber("duration", values.duration, { positive: true });
    const cfg = await loadConfig();
    const ctx = await stackContext(cfg);
    await installFor(ctx, "stream");
    const totals = Object.fromEntries(
      KINDS.map((k) => [k, { batches: 0, read: 0, inserted: 0, dead: 0 }]),
    );
    const onEvent = (e: StreamEvent) => {
      if (e.event === "batch") {
        const t = totals[e.kind];
        t.batches++;
        t.read += e.rows_in;
        t.inserted += e.inserted ?? 0;
        t.dead += e.dead_letters;
        console.log(
          `  ${e.table} batch ${e.batch_id}: +${e.inserted} rows (${e.rows_in} read, ` +
            `${e.dead_letters} dead letters) in ${e.seconds.toFixed(2)} s`,
        );
      } else if (e.event === "warning") console.warn(`! ${e.message}`);
      else if (e.event === "restart") {
        console.warn(`! The ${e.kind} query could not reach Kinesis; started again (${e.attempt})`);
      }
    };
    console.log(
      `Starting the stream job: ${Object.values(cfg.names.streams).join(", ")} at ` +
        `${cfg.kinesis.endpoint ?? `Kinesis ${cfg.region}`} -> Delta (Spark takes about 20 s)`,
    );
    const job = await startStreamJob(ctx, { triggerSeconds: trigger, onEvent });
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      console.log("Stopping after the micro-batch in flight...");
      job.stop();
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    const timer = duration === undefined ? undefined : setTimeout(stop, duration * 1000);
    try {
      await job.ready;
      console.log(table(KINDS.map((k) => ({
        stream: cfg.names.streams[k],
        table: job.paths.tables[k].name,
        delta: job.paths.tables[k].path,
      }))));
      console.log(
        `✔ Streaming (checkpoints in ${job.paths.base}/checkpoints, log ${job.logFile}); ` +
          "Ctrl-C stops",
      );
    } catch (e) {
      clearTimeout(timer);
      throw e;
    }
    const end = await job.ended;
    clearTimeout(timer);
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    console.log(table(KINDS.map((k) => ({ table: job.paths.tables[k].name, ...totals[k] }))));
    if (end.error) throw new Error(end.error);
    if (!end.graceful) {
      throw new Error(`The stream job exited with code ${end.code}; see ${job.logFile}`);
    }
    console.log("✔ Stopped cleanly; a restart resumes from the checkpoints");
  });
}
