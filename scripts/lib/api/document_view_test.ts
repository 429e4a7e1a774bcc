import assert from "node:assert/strict";
import { loadApiDocument } from "./document.ts";
import { routeRows, routesMarkdown } from "./document_view.ts";
import { repoPath } from "../core/paths.ts";

/** A Markdown table's cells, whatever padding `deno fmt` gave it. */
const cells = (table: string) =>
  table.trim().split("\n").filter((l) => !/^\|[\s|-]+\|$/.test(l)).map((l) =>
    l.split("|").slice(1, -1).map((c) => c.trim())
  );

Deno.test("the README's API section is the document's routes", async () => {
  const readme = await Deno.readTextFile(repoPath("README.md"));
  const section = /<!-- api-routes:[^>]*-->\n([\s\S]*?)<!-- api-routes: end -->/.exec(readme);
  assert.ok(section, "README.md has no api-routes section");
  assert.deepEqual(
    cells(section[1]),
    cells(routesMarkdown(await loadApiDocument())),
    "README.md's API table differs from api/openapi.yaml: paste routesMarkdown()'s output there",
  );
});

Deno.test("every route of SPEC §3 is a row, with what its validator checks", async () => {
  const rows = routeRows(await loadApiDocument());
  assert.equal(rows.length, 7);
  const put = rows.find((r) => r.method === "PUT" && r.path.endsWith("/record"))!;
  assert.equal(put.target, "Kinesis PutRecord");
  assert.equal(put.validates, "body (PutRecordBody), parameters");
});
