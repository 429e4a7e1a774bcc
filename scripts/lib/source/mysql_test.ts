import assert from "node:assert/strict";
import { type Config, loadConfig } from "../core/config.ts";
import { explainMysqlError, isSourceUnavailable } from "./mysql.ts";

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

Deno.test("a database that is down or restarting is worth waiting for", () => {
  for (const code of ["ECONNREFUSED", "PROTOCOL_CONNECTION_LOST", "ER_SERVER_SHUTDOWN"]) {
    assert.ok(isSourceUnavailable(coded(code)), code);
  }
  assert.ok(
    isSourceUnavailable(new Error("Can't add new command when connection is in closed state")),
  );
});

Deno.test("a wrong query or bad credentials are not waited for", () => {
  for (const code of ["ER_NO_SUCH_TABLE", "ER_ACCESS_DENIED_ERROR", "ER_PARSE_ERROR"]) {
    assert.ok(!isSourceUnavailable(coded(code)), code);
  }
  assert.ok(!isSourceUnavailable(new Error("Too few aligned rows")));
});

Deno.test("the explained error keeps its cause, so it is still recognised", async () => {
  const cfg: Config = await loadConfig();
  const e = explainMysqlError(cfg, coded("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:3306"));
  assert.match(e.message, /Cannot reach the source database at .*: ECONNREFUSED/);
  assert.ok(isSourceUnavailable(e));
});
