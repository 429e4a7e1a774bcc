/**
 * The command line shared by `deno task emulate` (Kafka topics) and `deno task emulate:stream`
 * (Kinesis streams): same options, same progress, same summary; only the sender differs.
 *
 * @module
 */
import { loadConfig } from "../core/config.ts";
import { describeSourceEvent, emulate, type Sender, topicSender } from "./emulator.ts";
import {
  EMULATE_STREAM_USAGE,
  EMULATE_USAGE,
  MAX_BATCH,
  MAX_STREAM_BATCH,
  parseEmulateArgs,
} from "./options.ts";
import { progressLine } from "../view/progress.ts";
import { streamSender } from "./stream_sender.ts";
import { apiRoutes } from "../api/routes.ts";
import { table } from "../view/table.ts";

/** Where the emulator sends: the Kafka topics or the Kinesis streams. */
export type EmulatorTarget = "topics" | "streams";

function help(target: EmulatorTarget): string {
  const streams = target === "streams";
  return `Usage: ${streams ? EMULATE_STREAM_USAGE : EMULATE_USAGE}

Sends random posts from the source database to the pin, geo and user ${
    streams ? "Kinesis streams (PUT /streams/<stream>/record)" : "topics"
  } through the API.
  --count N          posts to send (default: until stopped)
  --duration S       stop starting posts after S seconds
  --rate R           posts per second, 0 = as fast as possible
                     (default: a random 0-1 s pause before each post, like the original)
  --concurrency N    batches in flight at once (default 1)
  --batch N          posts per request: ${
    streams
      ? `N rows in one PutRecords per stream (PUT .../records, at most ${MAX_STREAM_BATCH})`
      : `N rows in one POST to each topic (at most ${MAX_BATCH})`
  } (default 1)
  --seed S           seed of the row choice (default: random)
  --retries N        retries of a request on connection errors, 429 and 5xx (default 8:
                     backoff from 0.1 s doubling to 5 s, about 15 s in all)
Ctrl-C stops after the requests in flight; a second Ctrl-C exits at once.`;
}

/**
 * Runs the emulator command line on `args`, sending to `target`.
 *
 * @example
 * ```ts ignore
 * await runEmulatorCli(["--count", "10", "--rate", "0"], "streams");
 * ```
 */
export async function runEmulatorCli(args: string[], target: EmulatorTarget): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) return console.log(help(target));
  const streams = target === "streams";
  const opts = parseEmulateArgs(
    args,
    streams ? { usage: EMULATE_STREAM_USAGE, maxBatch: MAX_STREAM_BATCH } : {},
  );
  const cfg = await loadConfig();
  const sender: Sender = streams
    ? streamSender(cfg, { putRecords: (opts.batch ?? 1) > 1 })
    : topicSender(cfg);
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) Deno.exit(130);
    console.error("\nStopping after the requests in flight (Ctrl-C again to exit now)");
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const pacing = opts.rate === undefined
    ? "random 0-1 s pauses"
    : opts.rate === 0
    ? "as fast as possible"
    : `${opts.rate} posts/s`;
  console.log(
    `Emulating posts to ${streams ? "the streams at " : ""}${
      apiRoutes(cfg).invokeUrl
    } (${pacing}, batch ${opts.batch}, ` +
      `concurrency ${opts.concurrency}${opts.count ? `, ${opts.count} posts` : ""}${
        opts.duration ? `, ${opts.duration} s` : ""
      })`,
  );
  const progress = progressLine("posts");
  // A broker restart fails many requests at once: say why, but not once per request.
  let lastRetry = { reason: "", at: 0 };
  const onRetry = (reason: string) => {
    if (reason === lastRetry.reason && Date.now() - lastRetry.at < 5000) return;
    lastRetry = { reason, at: Date.now() };
    console.error(`\n! API request failed (${reason}); retrying with backoff`);
  };
  const s = await emulate(cfg, {
    ...opts,
    sender,
    keepKeys: false,
    signal: stop.signal,
    onProgress: (p) =>
      progress.update(
        p.acknowledged + p.failed,
        opts.count,
        `${p.failed} failed, ${p.retries} retries`,
      ),
    onError: (m) => console.error(`\n! ${m}`),
    onRetry,
    onSource: (e) => console.error(`\n${e.state === "down" ? "!" : "✔"} ${describeSourceEvent(e)}`),
  }).finally(() => {
    progress.done();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  });
  console.log(table([{
    sent: s.sent,
    acknowledged: s.acknowledged,
    failed: s.failed,
    requests: s.requests,
    retries: s.retries,
    seconds: s.seconds.toFixed(1),
    "posts/s": s.postsPerSecond.toFixed(1),
    seed: s.seed,
  }]));
  if (s.failed) Deno.exitCode = 1;
}
