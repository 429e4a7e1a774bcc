import assert from "node:assert/strict";
import { resolveConfig } from "../core/config.ts";
import { repoPath } from "../core/paths.ts";
import { databricksEnv, databricksStatements } from "./databricks.ts";
import { parse } from "yaml";

const cfg = resolveConfig(
  parse(await Deno.readTextFile(repoPath("pipeline.yaml"))),
  "/r/pipeline.yaml",
  "aws",
  {},
);

Deno.test("a missing Databricks variable is named", () => {
  assert.throws(
    () => databricksEnv({ DATABRICKS_HOST: "h" }),
    /set DATABRICKS_TOKEN, DATABRICKS_HTTP_PATH/,
  );
  const env = databricksEnv({
    DATABRICKS_HOST: "https://dbc-1.cloud.databricks.com/",
    DATABRICKS_TOKEN: "t",
    DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/a",
  });
  assert.equal(env.host, "dbc-1.cloud.databricks.com");
  assert.equal(env.schema, "default");
});

Deno.test("Databricks statements mount every topic, clean, write Delta and run queries in order", () => {
  const env = databricksEnv({
    DATABRICKS_HOST: "h",
    DATABRICKS_TOKEN: "t",
    DATABRICKS_HTTP_PATH: "p",
  });
  const stmts = databricksStatements(cfg, env, {
    clean: { pin: "select 1 as ind;\n", geo: "select 2 as ind", user: "select 3 as ind" },
    views: { age_groups: "create or replace temporary view age_groups as select 1;" },
    analytics: { q10_b: "select 10", q4_a: "select 4;" },
  });
  assert.deepEqual(stmts.map((s) => `${s.step} ${s.name}`), [
    "session time zone",
    "mount pin",
    "mount geo",
    "mount user",
    "clean pin",
    "write delta pin",
    "clean geo",
    "write delta geo",
    "clean user",
    "write delta user",
    "view age_groups",
    "query q4_a",
    "write delta q4_a",
    "query q10_b",
    "write delta q10_b",
  ]);
  assert.equal(stmts[0].sql, "set time zone 'UTC'");
  // Every raw field as text, as the local driver reads it: no type inference.
  assert.equal(
    stmts[3].sql,
    `create or replace temporary view raw_user as select * from read_files(` +
      `'s3://user-${cfg.userId}-bucket/topics/${cfg.userId}.user/partition=*/*.json', ` +
      "format => 'json', schema => '`ind` STRING, `first_name` STRING, `last_name` STRING, " +
      "`age` STRING, `date_joined` STRING')",
  );
  assert.equal(stmts[4].sql, "create or replace temporary view pin as select 1 as ind");
  assert.equal(
    stmts[5].sql,
    `create or replace table default.\`${cfg.userId}_pin\` as select * from pin`,
  );
  assert.equal(stmts[10].sql, "create or replace temporary view age_groups as select 1");
  assert.equal(stmts[11].sql, "select 4");
});
