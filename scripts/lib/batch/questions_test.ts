import assert from "node:assert/strict";
import { SQL_DIR } from "../core/paths.ts";
import { QUESTIONS } from "./questions.ts";

Deno.test("every analytics SQL file is a question, and every question has its file", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(`${SQL_DIR}/analytics`)) {
    if (e.name.endsWith(".sql")) files.push(e.name.slice(0, -4));
  }
  assert.deepEqual(files.sort(), QUESTIONS.map((q) => q.name).sort());
});

/** The top-level comma-separated items of a select list. */
function selectItems(list: string): string[] {
  const items = [""];
  let depth = 0;
  for (const c of list) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) items.push("");
    else items[items.length - 1] += c;
  }
  return items.map((i) => i.trim());
}

Deno.test("each query's final select names the question's columns, in order", async () => {
  for (const q of QUESTIONS) {
    const sql = await Deno.readTextFile(`${SQL_DIR}/analytics/${q.name}.sql`);
    const final = sql.match(/\nselect\b([\s\S]*?)\nfrom /g)!.pop()!;
    const list = final.slice("\nselect".length, -"\nfrom ".length);
    const names = selectItems(list).map((i) => i.split(/\s+as\s+/).pop()!.split(".").pop()!);
    assert.deepEqual(names, q.columns, q.name);
  }
});
