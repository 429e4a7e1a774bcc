/**
 * `deno task emulate`: the batch user-posting emulator (SPEC §3). Without options it behaves like
 * the original: a random post every 0-1 s until Ctrl-C. See `--help` for load options.
 *
 * @module
 */
import { main } from "./lib/cli.ts";
import { loadConfig } from "./lib/config.ts";
import { emulate } from "./lib/emulator.ts";
import { EMULATE_USAGE, parseEmulateArgs } from "./lib/emulator_options.ts";
import { progressLine } from "./lib/progress.ts";
import { table } from "./lib/table.ts";

const HELP = `Usage: ${EMULATE_USAGE}

Sends random posts from the source database to the pin, geo and user topics through the API.
  --count N          posts to send (default: until stopped)
  --duration S       stop starting posts after S seconds
  --rate R           posts per second, 0 = as fast as possible
                     (default: a random 0-1 s pause before each post, like the original)
  --concurrency N    batches in flight at once (default 1)
  --batch N          posts per request: N rows in one POST to each topic (default 1)
  --seed S           seed of the row choice (default: random)
  --retries N        retries of a request on connection errors and 5xx (default 5)
Ctrl-C stops after the requests in flight; a second Ctrl-C exits at once.`;

if (import.meta.main) {
  await main(async () => {
    if (Deno.args.includes("--help") || Deno.args.includes("-h")) return console.log(HELP);
    const opts = parseEmulateArgs(Deno.args);
    const cfg = await loadConfig();
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
      `Emulating posts to ${cfg.apiUrl} (${pacing}, batch ${opts.batch}, concurrency ${opts.concurrency}` +
        `${opts.count ? `, ${opts.count} posts` : ""}${
          opts.duration ? `, ${opts.duration} s` : ""
        })`,
    );
    const progress = progressLine("posts");
    const s = await emulate(cfg, {
      ...opts,
      keepKeys: false,
      signal: stop.signal,
      onProgress: (p) =>
        progress.update(
          p.acknowledged + p.failed,
          opts.count,
          `${p.failed} failed, ${p.retries} retries`,
        ),
      onError: (m) => console.error(`\n! ${m}`),
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
  });
}
