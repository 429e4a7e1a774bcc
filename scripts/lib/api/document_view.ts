/**
 * The API document as people read it: one row per route (method, path, integration, what it
 * reaches), for notebook 04 and the README's API section, which a test keeps equal to it.
 *
 * @module
 */
import { type ApiDocument, kinesisAction, type Operation } from "./document.ts";

/** One route of the document, as a table row. */
export interface RouteRow {
  method: string;
  path: string;
  integration: string;
  target: string;
  validates: string;
}

function target(op: Operation): string {
  if (op.integration.type === "aws" && /:kinesis:action\//.test(op.integration.uri)) {
    return `Kinesis ${kinesisAction(op)}`;
  }
  return op.integration.uri;
}

/**
 * The document's routes, sorted by path then method.
 *
 * @example
 * ```ts
 * import { loadApiDocument } from "./document.ts";
 * const rows = routeRows(await loadApiDocument());
 * rows.find((r) => r.path === "/topics/{topic}")!.integration; // "http_proxy"
 * ```
 */
export function routeRows(doc: ApiDocument): RouteRow[] {
  return doc.operations.map((op) => ({
    method: op.method,
    path: op.path,
    integration: op.integration.type,
    target: target(op),
    validates: [
      op.validates.body && Object.keys(op.models).length
        ? `body (${
          Object.values(op.models).map((m) => (m as { title?: string }).title ?? "model").join(
            ", ",
          )
        })`
        : "",
      op.validates.params ? "parameters" : "",
    ].filter(Boolean).join(", ") || "nothing",
  })).sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/**
 * The routes as a Markdown table, the one the README shows between its `api-routes` markers.
 *
 * @example
 * ```ts
 * import { loadApiDocument } from "./document.ts";
 * routesMarkdown(await loadApiDocument()).split("\n")[0];
 * // "| method | path (after the stage) | integration | reaches | validator checks |"
 * ```
 */
export function routesMarkdown(doc: ApiDocument): string {
  const rows = routeRows(doc).map((r) =>
    `| ${r.method} | \`${r.path}\` | ${r.integration} | ${
      r.integration.startsWith("http") ? `\`${r.target}\`` : r.target
    } | ${r.validates} |`
  );
  return [
    "| method | path (after the stage) | integration | reaches | validator checks |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
