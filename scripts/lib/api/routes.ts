/**
 * What a client needs of an API document: the invoke URL with its stage, the route that produces
 * to a topic, and the PutRecord / PutRecords routes with the body their templates read. Taken
 * from the document, so the emulators speak to whatever API it describes: the project's, or a
 * student's own export with another stage, other resources and other body fields.
 *
 * A stream route's body is found by rendering its request template over a probe body and seeing
 * where each probe lands in the Kinesis action: which field becomes `Data` (and whether the
 * template wants the row as JSON or as a string of JSON), which `PartitionKey`, and where the
 * stream name comes from.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  type ApiDocument,
  kinesisAction,
  loadApiDocumentSync,
  type Operation,
  requestTemplate,
} from "./document.ts";
import { renderTemplate } from "./vtl.ts";
import type { Config } from "../core/config.ts";

/** One record for a stream route. */
export interface RouteEntry {
  data: unknown;
  partitionKey: string;
}

/** A route that puts records on a stream. */
export interface StreamRoute {
  /** `PutRecord` (one record a request) or `PutRecords`. */
  action: "PutRecord" | "PutRecords";
  method: string;
  /** The document's path, such as `/streams/{stream-name}/record`. */
  path: string;
  contentType: string;
  url(stream: string): string;
  body(stream: string, entries: RouteEntry[]): string;
}

/** The routes of one API at one invoke URL. */
export interface ApiRoutes {
  /** The invoke URL, ending in the stage. */
  invokeUrl: string;
  stage: string;
  /** Where the document came from, for messages. */
  source: string;
  /** Headers every request carries: the API key, when there is one. */
  headers: Record<string, string>;
  /** Method and URL that produce (Kafka REST v2) to a topic. */
  topic(topic: string): { method: string; url: string };
  putRecord?: StreamRoute;
  putRecords?: StreamRoute;
}

const cache = new Map<string, ApiDocument>();

/**
 * The routes of the config's API document (PIPELINE_API_DEFINITION, default `api/openapi.yaml`)
 * at `apiUrl` (default the config's).
 *
 * @example
 * ```ts ignore
 * const api = apiRoutes(cfg);
 * api.topic(cfg.names.topics.pin).url; // "http://127.0.0.1:8000/test/topics/0a1b2c3d4e5f.pin"
 * ```
 */
export function apiRoutes(cfg: Config, apiUrl: string = cfg.apiUrl): ApiRoutes {
  let doc = cache.get(cfg.apiDefinition);
  if (!doc) {
    doc = loadApiDocumentSync(cfg.apiDefinition);
    cache.set(cfg.apiDefinition, doc);
  }
  return routesOf(doc, apiUrl, cfg.apiDefinition, cfg.apiKey);
}

/**
 * The routes of a document at an invoke URL; the stage is added when no segment of the URL's
 * path is the stage already. With
 * `apiKey`, every request carries it in `x-api-key`, as API Gateway reads it.
 *
 * @example
 * ```ts
 * import { API_DOCUMENT, loadApiDocument } from "./document.ts";
 * const api = routesOf(await loadApiDocument(), "http://127.0.0.1:8000", API_DOCUMENT);
 * api.topic("x.pin").url; // "http://127.0.0.1:8000/test/topics/x.pin"
 * api.putRecord!.url("s1"); // "http://127.0.0.1:8000/test/streams/s1/record"
 * ```
 */
export function routesOf(
  doc: ApiDocument,
  apiUrl: string,
  source: string,
  apiKey?: string,
): ApiRoutes {
  const base = apiUrl.replace(/\/+$/, "");
  // AWS's invoke URL ends in the stage; LocalStack's has it inside
  // (`/restapis/<id>/<stage>/_user_request_`); the local gateway's base has none.
  const staged = new URL(base).pathname.split("/").includes(doc.stage);
  const invokeUrl = staged ? base : `${base}/${doc.stage}`;
  const topicRoute = findTopicRoute(doc, source);
  return {
    invokeUrl,
    stage: doc.stage,
    source,
    headers: apiKey ? { "x-api-key": apiKey } : {},
    topic: (topic) => ({ method: topicRoute.method, url: invokeUrl + topicRoute.path(topic) }),
    putRecord: streamRoute(doc, "PutRecord", invokeUrl),
    putRecords: streamRoute(doc, "PutRecords", invokeUrl),
  };
}

/** The path of `op` with its parameters filled in, each segment encoded. */
function fillPath(op: Operation, params: Record<string, string>): string {
  return op.path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, greedy: string) => {
    const value = params[name] ?? "";
    return greedy ? value.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(value);
  });
}

/**
 * The HTTP integration that reaches the REST proxy's `/topics/<topic>`: its uri's path is solved
 * for the topic, and the method's parameters follow its `requestParameters`.
 */
function findTopicRoute(doc: ApiDocument, source: string) {
  const probe = "probe.topic";
  for (const op of doc.operations) {
    if (!["http", "http_proxy"].includes(op.integration.type)) continue;
    if (!["POST", "ANY"].includes(op.method)) continue;
    const uriPath = op.integration.uri.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0];
    const names: string[] = [];
    const pattern = new RegExp(
      "^" + uriPath.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([\w-]+)\\?\}/g, (
        _,
        n: string,
      ) => {
        names.push(n);
        return "(.+)";
      }) + "$",
    );
    const m = pattern.exec(`/topics/${probe}`);
    if (!m) continue;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      const from = op.integration.requestParameters?.[`integration.request.path.${n}`];
      const source = /^method\.request\.path\.([\w-]+)$/.exec(from ?? "")?.[1] ?? n;
      params[source] = m[i + 1];
    });
    const template = fillPath(op, params);
    if (!template.includes(probe)) continue;
    return {
      method: op.method === "ANY" ? "POST" : op.method,
      path: (topic: string) => template.replace(probe, encodeURIComponent(topic)),
    };
  }
  throw new Error(
    `${source} has no route to the Kafka REST proxy's /topics/{topic}: add an HTTP proxy ` +
      "integration (such as POST /topics/{topic} or ANY /{proxy+})",
  );
}

/** Where one probe value landed in the rendered action. */
type Landing = { from: "path"; name: string } | { from: "body"; field: string } | undefined;

/** The stream route of an action, understood by probing its template; undefined without one. */
function streamRoute(doc: ApiDocument, action: StreamRoute["action"], invokeUrl: string) {
  const op = doc.operations.find((o) => {
    try {
      return kinesisAction(o) === action;
    } catch {
      return false;
    }
  });
  if (!op) return undefined;
  const templates = op.integration.requestTemplates ?? {};
  const contentType = requestTemplate(op, "application/json") !== undefined
    ? "application/json"
    : Object.keys(templates)[0];
  const template = contentType === undefined ? undefined : templates[contentType];
  if (template === undefined) return undefined;
  const shape = probe(op, template, action);
  // A stream named in the body still needs the path's parameters: they name it too.
  const url = (stream: string) => {
    const params = shape.stream?.from === "path"
      ? { [shape.stream.name]: stream }
      : Object.fromEntries(shape.pathParams.map((p) => [p, stream]));
    return invokeUrl + fillPath(op, params);
  };
  const encode = (data: unknown) => shape.dataAsString ? JSON.stringify(data) : data;
  const body = (stream: string, entries: RouteEntry[]) => {
    const top: Record<string, unknown> = {};
    if (shape.stream?.from === "body") top[shape.stream.field] = stream;
    const item = (e: RouteEntry) => ({
      [shape.data]: encode(e.data),
      [shape.partitionKey]: e.partitionKey,
    });
    if (action === "PutRecord") return JSON.stringify({ ...top, ...item(entries[0]) });
    return JSON.stringify({ ...top, [shape.list!]: entries.map(item) });
  };
  return { action, method: op.method, path: op.path, contentType, url, body };
}

/** The body fields a template reads: top-level paths, and the fields of its loop's items. */
function fieldsRead(template: string) {
  const top = new Set<string>();
  for (const m of template.matchAll(/\$input\.(?:json|path)\(\s*(['"])\$\.([\w-]+)/g)) {
    top.add(m[2]);
  }
  const loop = /#foreach\(\s*\$(\w+)\s+in\s+\$input\.path\(\s*(['"])\$\.([\w-]+)\2\s*\)\s*\)/
    .exec(template);
  const items = new Set<string>();
  if (loop) {
    for (const m of template.matchAll(new RegExp(`\\$!?\\{?${loop[1]}\\.([\\w-]+)`, "g"))) {
      items.add(m[1]);
    }
    const byIndex = new RegExp(`\\$\\.${loop[3]}\\[\\$foreach\\.index\\]\\.([\\w-]+)`, "g");
    for (const m of template.matchAll(byIndex)) items.add(m[1]);
  }
  return { top, list: loop?.[3], items };
}

/**
 * Renders the template over a body whose every field holds its own marker and reads back where
 * the markers landed. Throws when the template has no place for Data or PartitionKey.
 */
function probe(op: Operation, template: string, action: StreamRoute["action"]) {
  const { top, list, items } = fieldsRead(template);
  const mark = (f: string) => `probe-${f}`;
  const pathParams = [...op.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
  const render = (body: Record<string, unknown>) => {
    const out = renderTemplate(template, {
      body: JSON.stringify(body),
      params: {
        path: Object.fromEntries(pathParams.map((p) => [p, `probe-path-${p}`])),
        querystring: {},
        header: {},
      },
      context: { stage: "probe" },
      stageVariables: {},
    }).output;
    return JSON.parse(out) as Record<string, unknown>;
  };
  const body: Record<string, unknown> = {};
  for (const f of top) if (f !== list) body[f] = mark(f);
  if (action === "PutRecords") {
    if (!list) throw new Error(`${op.method} ${op.path}: its template loops over no body list`);
    body[list] = [Object.fromEntries([...items].map((f) => [f, mark(f)]))];
  }
  const out = render(body);
  const record = action === "PutRecords"
    ? ((out.Records as Record<string, unknown>[] | undefined) ?? [])[0] ?? {}
    : out;
  const fields = action === "PutRecords" ? items : top;
  const decoded = typeof record.Data === "string"
    ? Buffer.from(record.Data, "base64").toString("utf8")
    : "";
  const dataField = [...fields].find((f) =>
    decoded === mark(f) || decoded === JSON.stringify(mark(f))
  );
  const keyField = [...fields].find((f) => record.PartitionKey === mark(f));
  if (!dataField || !keyField) {
    throw new Error(
      `${op.method} ${op.path}: its request template does not show which body field becomes ` +
        "Data and which PartitionKey",
    );
  }
  const streamName = String(out.StreamName ?? "");
  const fromPath = pathParams.find((p) => streamName === `probe-path-${p}`);
  const fromBody = [...top].find((f) => streamName === mark(f));
  const stream: Landing = fromPath
    ? { from: "path", name: fromPath }
    : fromBody
    ? { from: "body", field: fromBody }
    : undefined;
  // A template that prints the field as it is (not $input.json) wants the row as JSON text.
  const row = { probe: 1 };
  const asObject = action === "PutRecords"
    ? { ...body, [list!]: [{ [dataField]: row, [keyField]: "k" }] }
    : { ...body, [dataField]: row, [keyField]: "k" };
  const objectOut = render(asObject);
  const objectRecord = action === "PutRecords"
    ? (objectOut.Records as Record<string, unknown>[])[0]
    : objectOut;
  const objectData = Buffer.from(String(objectRecord.Data), "base64").toString("utf8");
  const dataAsString = objectData !== JSON.stringify(row);
  return { data: dataField, partitionKey: keyField, stream, list, dataAsString, pathParams };
}
