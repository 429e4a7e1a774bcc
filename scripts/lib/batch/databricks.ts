/**
 * The batch job on Databricks (profile `aws`): the same sql/clean and sql/analytics files, run
 * through a SQL warehouse with npm `@databricks/sql`. Raw views read every JSON object under each
 * topic prefix of the bucket, as the local job does.
 *
 * Needs DATABRICKS_HOST, DATABRICKS_TOKEN, DATABRICKS_HTTP_PATH; optional DATABRICKS_LAKE_ROOT
 * (default `s3://<bucket>`, or a `/mnt/...` mount) and DATABRICKS_SCHEMA (default `default`).
 *
 * @module
 */
import { fieldNames } from "../source/schema.ts";
import type { Config } from "../core/config.ts";
import { KINDS } from "../core/names.ts";
import type { SparkReport, StepEvent, TableEvent } from "../spark/events.ts";
import { SQL_DIR } from "../core/paths.ts";

/** Databricks settings from the environment. */
export interface DatabricksEnv {
  host: string;
  token: string;
  httpPath: string;
  lakeRoot?: string;
  schema: string;
}

/** The environment a Databricks run needs, in the order the error lists them. */
export const DATABRICKS_VARS = ["DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_HTTP_PATH"];

/** Reads the Databricks settings; throws naming every missing variable. */
export function databricksEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): DatabricksEnv {
  const missing = DATABRICKS_VARS.filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(
      `Cannot run the batch job on Databricks: set ${
        missing.join(", ")
      } (workspace host, a personal ` +
        "access token, and the SQL warehouse HTTP path such as /sql/1.0/warehouses/abc)",
    );
  }
  return {
    host: env.DATABRICKS_HOST!.replace(/^https?:\/\//, "").replace(/\/$/, ""),
    token: env.DATABRICKS_TOKEN!,
    httpPath: env.DATABRICKS_HTTP_PATH!,
    lakeRoot: env.DATABRICKS_LAKE_ROOT,
    schema: env.DATABRICKS_SCHEMA || "default",
  };
}

/** One statement of the Databricks run. */
export interface Statement {
  step: "session" | "mount" | "clean" | "write delta" | "view" | "query";
  name: string;
  sql: string;
}

const stripSemicolon = (sql: string) => sql.trim().replace(/;\s*$/, "");

/**
 * Builds the statements of a run from the SQL files (pure, so it is tested without a workspace).
 *
 * @example
 * ```ts ignore
 * const stmts = databricksStatements(cfg, env, { clean: { pin: "select ..." }, analytics: {} });
 * stmts[1].sql; // create or replace temporary view raw_pin as select * from read_files('s3://...
 * ```
 */
export function databricksStatements(
  cfg: Config,
  env: DatabricksEnv,
  sql: BatchSql,
): Statement[] {
  const root = (env.lakeRoot ?? `s3://${cfg.names.bucket}`).replace(/\/$/, "");
  const table = (name: string) => `${env.schema}.\`${cfg.userId}_${name}\``;
  // The local driver's rules: every raw field as text (the cleaning SQL types them with
  // try_cast), and years and dates in UTC.
  const out: Statement[] = [{ step: "session", name: "time zone", sql: "set time zone 'UTC'" }];
  for (const kind of KINDS) {
    const schema = fieldNames(kind).map((f) => `\`${f}\` STRING`).join(", ");
    out.push({
      step: "mount",
      name: kind,
      sql:
        `create or replace temporary view raw_${kind} as select * from read_files('${root}/topics/${
          cfg.names.topics[kind]
        }/partition=*/*.json', format => 'json', schema => '${schema}')`,
    });
  }
  for (const kind of KINDS) {
    out.push({
      step: "clean",
      name: kind,
      sql: `create or replace temporary view ${kind} as ${stripSemicolon(sql.clean[kind])}`,
    });
    out.push({
      step: "write delta",
      name: kind,
      sql: `create or replace table ${table(kind)} as select * from ${kind}`,
    });
  }
  for (const [name, text] of Object.entries(sql.views ?? {}).sort()) {
    out.push({ step: "view", name, sql: stripSemicolon(text) });
  }
  for (
    const [name, text] of Object.entries(sql.analytics).sort(([a], [b]) =>
      a.localeCompare(b, "en", { numeric: true })
    )
  ) {
    out.push({ step: "query", name, sql: stripSemicolon(text) });
    out.push({
      step: "write delta",
      name,
      sql: `create or replace table ${table(name)} as ${stripSemicolon(text)}`,
    });
  }
  return out;
}

/** The SQL of a run: the cleaning by kind, the shared views and the analytics, by file name. */
export interface BatchSql {
  clean: Record<string, string>;
  views?: Record<string, string>;
  analytics: Record<string, string>;
}

async function sqlFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(dir)) {
    if (e.name.endsWith(".sql")) {
      out[e.name.slice(0, -4)] = await Deno.readTextFile(`${dir}/${e.name}`);
    }
  }
  return out;
}

async function readSql(): Promise<BatchSql> {
  const clean: Record<string, string> = {};
  for (const k of KINDS) clean[k] = await Deno.readTextFile(`${SQL_DIR}/clean/${k}.sql`);
  return {
    clean,
    views: await sqlFiles(`${SQL_DIR}/views`),
    analytics: await sqlFiles(`${SQL_DIR}/analytics`),
  };
}

/** Runs the batch job on a Databricks SQL warehouse and reports like the local Spark job. */
export async function runDatabricks(cfg: Config, show = 20): Promise<SparkReport> {
  const env = databricksEnv();
  const started = performance.now();
  // Loaded here, not at the top: the client is 30 MB of modules (a native kernel for every
  // platform) that every local `deno task batch` would otherwise load at start.
  const { DBSQLClient } = await import("@databricks/sql");
  const client = new DBSQLClient();
  const steps: StepEvent[] = [];
  const tables: Record<string, TableEvent> = {};
  await client.connect({ host: env.host, path: env.httpPath, token: env.token });
  const session = await client.openSession();
  try {
    for (const st of databricksStatements(cfg, env, await readSql())) {
      const t = performance.now();
      const op = await session.executeStatement(st.sql);
      const rows = (await op.fetchAll()) as Record<string, unknown>[];
      await op.close();
      const seconds = (performance.now() - t) / 1000;
      if (st.step === "query") {
        steps.push(
          { event: "step", step: "query", name: st.name, rows: rows.length, seconds } as StepEvent,
        );
        const columns = rows.length ? Object.keys(rows[0]) : [];
        tables[st.name] = {
          event: "table",
          name: st.name,
          stage: "query",
          columns,
          types: [],
          rows: rows.slice(0, show),
        };
      } else steps.push({ event: "step", step: st.step, name: st.name, seconds } as StepEvent);
    }
  } catch (e) {
    throw new Error(`Databricks batch failed on ${env.host}: ${(e as Error).message}`);
  } finally {
    await session.close();
    await client.close();
  }
  return {
    sparkVersion: "Databricks SQL",
    engine: "databricks",
    steps,
    tables,
    seconds: (performance.now() - started) / 1000,
    logFile: "(Databricks query history)",
  };
}
