/**
 * `deno task emulate`: the batch user-posting emulator (docs/spec.md §3). Without options it
 * behaves like the original: a random post every 0-1 s until Ctrl-C. See `--help` for load options.
 *
 * @module
 */
import { main } from "./lib/core/cli.ts";
import { runEmulatorCli } from "./lib/emulator/cli.ts";

if (import.meta.main) {
  await main(() => runEmulatorCli(Deno.args, "topics"));
}
