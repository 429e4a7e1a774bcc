/**
 * `deno task emulate:stream`: the streaming user-posting emulator (docs/spec.md §3): the same
 * posts, options and pacing as `deno task emulate`, sent to the Kinesis streams through the API's
 * `PUT /streams/<stream>/record` (PutRecords with `--batch`). See `--help`.
 *
 * @module
 */
import { main } from "./lib/core/cli.ts";
import { runEmulatorCli } from "./lib/emulator/cli.ts";

if (import.meta.main) {
  await main(() => runEmulatorCli(Deno.args, "streams"));
}
