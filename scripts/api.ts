/**
 * `deno task api [--host H] [--port P]`: the local API gateway (API Gateway in the original) in
 * front of the Kafka REST proxy: `POST /topics/{topic}` for the pin, geo and user topics, and the
 * Kinesis integration: `PUT /streams/{name}/record(s)` for the three streams, `GET /streams`,
 * `GET|POST|DELETE /streams/{name}`.
 *
 * @module
 */
import { startApi } from "./lib/api/gateway.ts";
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
      `API gateway on ${api.url} and ${api.url}/${api.stage} (api/openapi.yaml) -> ` +
        `Kafka REST proxy ${proxy}`,
    );
    console.log(`  POST ${api.url}/topics/{${Object.values(cfg.names.topics).join(",")}}`);
    console.log(
      `  PUT  ${api.url}/streams/{${Object.values(cfg.names.streams).join(",")}}/record(s) -> ` +
        `Kinesis ${cfg.kinesis.endpoint ?? cfg.region}`,
    );
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
