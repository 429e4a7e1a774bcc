/**
 * `deno task stack:install | stack:up | stack:status | stack:down [--purge]`: the local stack.
 * `scripts/stack.ts supervise` is the supervisor `stack:up` starts in the background.
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { down, status, statusTable, up } from "./lib/stack/stack.ts";
import { SERVICES } from "./lib/stack/registry.ts";
import type { ServiceState } from "./lib/stack/service.ts";
import { spark } from "./lib/stack/services/spark.ts";
import { sparkConnect } from "./lib/stack/services/spark_connect.ts";
import { connectServer } from "./lib/spark/engine.ts";
import { supervise } from "./lib/stack/supervise.ts";
import { ensureSupervisor, supervisionReport } from "./lib/stack/supervisor.ts";
import { install } from "./lib/stack/installer.ts";
import { stackContext } from "./lib/stack/context.ts";
import { installFor } from "./lib/stack/needs.ts";

const USAGE = "deno task stack:<install|up|status|down> [--only name,...] [--for task] [--purge]";

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseFlags(Deno.args, {
      only: { type: "string" },
      purge: { type: "boolean" },
      for: { type: "string" },
    }, USAGE);
    const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
    const ctx = await stackContext();
    const started = Date.now();
    switch (positionals[0]) {
      case "install":
        if (values.for !== undefined && only) {
          throw new Error("Give --only or --for, not both");
        }
        if (values.for !== undefined) await installFor(ctx, values.for);
        else await install(ctx, only);
        console.log(
          `Installed in ${
            ((Date.now() - started) / 1000).toFixed(1)
          } s (cache: ${ctx.cfg.cacheDir})`,
        );
        break;
      case "up": {
        // The on-demand Spark Connect server only when named; it starts through its own module.
        const server = only?.includes(sparkConnect.name) ?? false;
        const rest = only?.filter((name) => name !== sparkConnect.name);
        const states = server && !rest?.length ? [] : await up(ctx, rest);
        if (server) {
          // It runs on Spark's jars.
          await install(ctx, [spark.name, sparkConnect.name], { quiet: true });
          await connectServer(ctx);
          await ensureSupervisor(ctx);
          states.push(...await status(ctx, [sparkConnect.name]));
        }
        console.log(
          `\nStack up in ${
            ((Date.now() - started) / 1000).toFixed(1)
          } s. Logs: ${ctx.cfg.stateDir}/logs\n`,
        );
        console.log(statusTable(states));
        console.log(await supervisionReport(ctx, states));
        break;
      }
      case "status": {
        const states = await status(ctx, only);
        console.log(statusTable(states));
        console.log(await supervisionReport(ctx, states));
        // The on-demand Spark Connect server is stopped until a task asks for it: that is no fault.
        const idle = (s: ServiceState) => s.state === "stopped" && s.name === sparkConnect.name;
        if (states.some((s) => s.state !== "healthy" && !idle(s))) Deno.exitCode = 3;
        break;
      }
      case "supervise": {
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        Deno.addSignalListener("SIGTERM", onSignal);
        Deno.addSignalListener("SIGINT", onSignal);
        await supervise(ctx, SERVICES, { signal: stop.signal });
        break;
      }
      case "down":
        await down(ctx, { purge: values.purge, only });
        break;
      default:
        throw new Error(
          `Unknown stack command ${JSON.stringify(positionals[0] ?? "")}\nUsage: ${USAGE}`,
        );
    }
  });
}
