/**
 * `deno task airflow [--port N]`: `airflow standalone` in the foreground for people who want to
 * look: scheduler, triggerer and the UI on 127.0.0.1 (port 8080, or PIPELINE_AIRFLOW_PORT), over
 * the repository's dags/ folder and the Airflow home under the state dir. The DAG starts paused.
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { airflowHome } from "./lib/dag/airflow.ts";
import { checkStandalonePorts, standalone } from "./lib/dag/standalone.ts";
import { stackContext } from "./lib/stack/context.ts";
import { installFor } from "./lib/stack/needs.ts";

const USAGE = "deno task airflow [--port N] (default 8080 or PIPELINE_AIRFLOW_PORT)";

if (import.meta.main) {
  await main(async () => {
    const { values } = parseFlags(Deno.args, { port: { type: "string" } }, USAGE);
    const text = values.port ?? Deno.env.get("PIPELINE_AIRFLOW_PORT") ?? "8080";
    const port = Number(text);
    if (!Number.isInteger(port) || port < 1 || port > 65533) {
      throw new Error(`Invalid Airflow port ${JSON.stringify(text)}: give a port like 8080`);
    }
    await checkStandalonePorts(port);
    const ctx = await stackContext(await loadConfig());
    await installFor(ctx, "airflow");
    const home = airflowHome(ctx);
    console.log(
      [
        `Airflow UI on http://127.0.0.1:${port} (log servers on ${port + 1} and ${port + 2})`,
        `  user admin, password printed below and kept in ${home}/standalone_admin_password.txt`,
        `  DAG ${ctx.cfg.names.dagId} starts paused: unpause it to run daily, or trigger it`,
        "  Ctrl-C stops Airflow",
      ].join("\n"),
    );
    const code = await standalone(ctx, port);
    if (code !== 0 && code !== 130) throw new Error(`Airflow standalone exited with code ${code}`);
  });
}
