import assert from "node:assert/strict";
import { KINDS } from "../core/names.ts";
import { REPO_ROOT } from "../core/paths.ts";
import { fieldNames, sourceColumns } from "./schema.ts";
import { geoRow, pinRow, userRow } from "./synthetic.ts";

Deno.test("the generator's rows carry exactly the schema's columns, in order", () => {
  const rows = { pin: pinRow(1, 0), geo: geoRow(1, 0), user: userRow(1, 0) };
  for (const k of KINDS) assert.deepEqual(Object.keys(rows[k]), fieldNames(k), k);
});

Deno.test("the Spark drivers read the same fields from the same file", async () => {
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      "import json, sys; sys.path.insert(0, sys.argv[1]); from common import raw_fields; " +
      "print(json.dumps(raw_fields(sys.argv[2])))",
      `${REPO_ROOT}/scripts/spark`,
      `${REPO_ROOT}/sql`,
    ],
    stdout: "piped",
  }).output();
  assert.ok(out.success, "python3 could not read the schema through scripts/spark/common.py");
  const python = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.deepEqual(python, Object.fromEntries(KINDS.map((k) => [k, fieldNames(k)])));
});

Deno.test("keys are the first column of every table", () => {
  assert.deepEqual(KINDS.map((k) => sourceColumns()[k][0].name), ["index", "ind", "ind"]);
});
