/**
 * `deno task api [--host H] [--port P]`: the local API gateway (API Gateway in the original),
 * executing the API document (`api/openapi.yaml`, or PIPELINE_API_DEFINITION): its HTTP proxy
 * to the Kafka REST proxy and its Kinesis integrations, on the stage URL and the bare paths.
 *
 * @module
 */
import { startApi } from "./lib/api/gateway.ts";
import { routeRows } from "./lib/api/document_view.ts";
import { main, parseCount, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { networkReason } from "./lib/core/http.ts";

const USAGE = "deno task api [--host H] [--port P]";

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseFlags(Deno.args, {
      host: { type: "string" },
      port: { type: "string" },
    }, USAGE);
    if (positionals.length) {
      throw new Error(`Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${USAGE}`);
    }
    const cfg = await loadConfig();
    const port = parseCount("port", values.port, cfg.stack.ports.api, 0);
    if (port > 65535) throw new Error(`Invalid --port ${port}: must be at most 65535`);
    const api = startApi(cfg, { hostname: values.host, port });
    const proxy = cfg.restProxyUrl!;
    console.log(
      `API gateway on ${api.url} and ${api.url}/${api.stage} (${cfg.apiDefinition}) -> ` +
        `Kafka REST proxy ${proxy}, Kinesis ${cfg.kinesis.endpoint ?? cfg.region}`,
    );
    for (const r of routeRows(api.document)) {
      console.log(`  ${r.method.padEnd(6)} ${api.url}/${api.stage}${r.path} -> ${r.target}`);
    }
    await fetch(`${proxy}/healthy`).then((r) => r.body?.cancel()).catch((e) =>
      console.warn(
        `! Kafka REST proxy at ${proxy} does not answer (${networkReason(e)}); requests ` +
          "will get 502 until it runs: start it with `deno task stack:up`",
      )
    );
    console.log("Ctrl-C stops it");
    const stop = async () => {
      await api.close();
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
    await api.server.finished;
  });
}
