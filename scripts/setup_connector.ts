/**
 * `deno task setup-connector [--print-msk-config]`: creates the lake bucket and registers the
 * S3 sink on Kafka Connect (docs/spec.md §4), then waits until it runs. Safe to re-run: a
 * standalone worker forgets REST-created connectors when it restarts. With `--print-msk-config`,
 * prints the equivalent Confluent S3 sink config to paste into MSK Connect instead.
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { type ConnectorFailedError, type ConnectorStatus } from "./lib/lake/connect_rest.ts";
import {
  connectorName,
  connectUrl,
  mskSinkConfig,
  propertiesText,
  setupConnector,
} from "./lib/lake/connector.ts";
import { table } from "./lib/view/table.ts";

const USAGE = "deno task setup-connector [--print-msk-config] [--timeout SECONDS]";

function statusTable(s: ConnectorStatus): string {
  return table([
    { part: "connector", state: s.connector.state, worker: s.connector.worker_id },
    ...s.tasks.map((t) => ({ part: `task ${t.id}`, state: t.state, worker: t.worker_id })),
  ]);
}

function printTraces(s: ConnectorStatus): void {
  const parts = [
    { label: "connector", ...s.connector },
    ...s.tasks.map((t) => ({
      label: `task ${t.id}`,
      ...t,
    })),
  ];
  for (const p of parts.filter((p) => p.state === "FAILED")) {
    console.error(`\n${p.label} trace:\n${p.trace ?? "(none)"}`);
  }
}

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseFlags(Deno.args, {
      "print-msk-config": { type: "boolean" },
      timeout: { type: "string" },
    }, USAGE);
    if (positionals.length) {
      throw new Error(`Unexpected argument ${JSON.stringify(positionals[0])}\nUsage: ${USAGE}`);
    }
    const timeout = Number(values.timeout ?? "30");
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new Error(`Invalid --timeout ${JSON.stringify(values.timeout)}: expected seconds > 0`);
    }
    const cfg = await loadConfig();
    if (values["print-msk-config"]) {
      console.log(`# MSK Connect: Confluent S3 sink for ${connectorName(cfg)}`);
      console.log(propertiesText(mskSinkConfig(cfg)));
      return;
    }
    console.log(
      `S3 sink ${connectorName(cfg)} on ${connectUrl(cfg)} -> ` +
        `s3://${cfg.names.bucket}/topics/ (topics.regex ${cfg.names.topicsRegex})`,
    );
    console.log(`  Waiting up to ${timeout} s for the connector to run...`);
    try {
      const r = await setupConnector(cfg, { timeoutMs: timeout * 1000 });
      console.log(`✔ bucket ${cfg.names.bucket} ${r.bucket === "created" ? "created" : "exists"}`);
      console.log(`✔ connector ${r.name} ${r.connector}`);
      console.log(statusTable(r.status));
    } catch (e) {
      const status = (e as ConnectorFailedError).status;
      if (status) {
        console.error(statusTable(status));
        printTraces(status);
      }
      throw e;
    }
  });
}
