/**
 * The API document, `api/openapi.yaml`: the one definition of the pipeline's routes, their API
 * Gateway integrations, mapping templates, validators and models, and the stage. This module
 * reads it and answers what the gateway and the tests ask of it: the stage, the operations, an
 * operation's request template for a content type.
 *
 * @module
 */
import { parse } from "yaml";
import { repoPath } from "../core/paths.ts";

/** Where the document lives: beside `sql/` and `dags/`, as data that AWS imports as is. */
export const API_DOCUMENT = repoPath("api/openapi.yaml");

/** API Gateway's `x-amazon-apigateway-integration`, the fields the pipeline uses. */
export interface Integration {
  type: "aws" | "aws_proxy" | "http" | "http_proxy" | "mock";
  httpMethod: string;
  uri: string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  passthroughBehavior?: "when_no_match" | "when_no_templates" | "never";
  responses?: Record<string, {
    statusCode: string;
    responseTemplates?: Record<string, string>;
  }>;
}

/** One method of one path of the document. */
export interface Operation {
  /** Upper case, as on the wire. */
  method: string;
  /** The document's path, with `{param}` placeholders: `/streams/{stream-name}/record`. */
  path: string;
  operationId?: string;
  integration: Integration;
  /** The name of its `x-amazon-apigateway-request-validator`, if any. */
  validator?: string;
  /** Model (JSON schema, `$ref`s resolved) of the body by content type. */
  models: Record<string, unknown>;
}

/** The document as the gateway uses it. */
export interface ApiDocument {
  /** The stage the invoke URL ends in (API Gateway's export keeps it as `basePath`). */
  stage: string;
  operations: Operation[];
  /** The parsed document. */
  raw: Record<string, unknown>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

/** Follows local `$ref`s (`#/components/...`), so a model is self-contained. */
function resolveRefs(value: unknown, root: Record<string, unknown>, seen: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, root, seen));
  if (value === null || typeof value !== "object") return value;
  const ref = (value as Record<string, unknown>).$ref;
  if (typeof ref === "string") {
    if (seen.includes(ref)) throw new Error(`API document: $ref ${ref} refers to itself`);
    let target: unknown = root;
    for (const part of ref.replace(/^#\//, "").split("/")) {
      target = (target as Record<string, unknown> | undefined)?.[part];
    }
    if (!ref.startsWith("#/") || target === undefined) {
      throw new Error(`API document: $ref ${ref} names nothing in the document`);
    }
    return resolveRefs(target, root, [...seen, ref]);
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, resolveRefs(v, root, seen)]),
  );
}

/**
 * Reads an API document from its text; `source` names it in errors.
 *
 * @example
 * ```ts
 * const doc = parseApiDocument(await Deno.readTextFile(API_DOCUMENT), API_DOCUMENT);
 * doc.stage; // "test"
 * ```
 */
export function parseApiDocument(text: string, source: string): ApiDocument {
  const raw = parse(text) as Record<string, unknown>;
  if (!raw || typeof raw !== "object" || !String(raw.openapi ?? "").startsWith("3.")) {
    throw new Error(`${source} is not an OpenAPI 3 document (no "openapi: 3.x" at its top)`);
  }
  const servers = (raw.servers ?? []) as { variables?: { basePath?: { default?: string } } }[];
  const basePath = servers[0]?.variables?.basePath?.default;
  if (typeof basePath !== "string" || !basePath.replace(/^\//, "")) {
    throw new Error(
      `${source} names no stage: set servers[0].variables.basePath.default (such as "test"), ` +
        "as API Gateway's export does",
    );
  }
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries((raw.paths ?? {}) as Record<string, unknown>)) {
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      if (!METHODS.includes(method)) continue;
      const integration = op["x-amazon-apigateway-integration"] as Integration | undefined;
      if (!integration) {
        throw new Error(
          `${source}: ${method.toUpperCase()} ${path} has no x-amazon-apigateway-integration`,
        );
      }
      const content = ((op.requestBody as Record<string, unknown> | undefined)?.content ??
        {}) as Record<string, { schema?: unknown }>;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId as string | undefined,
        integration,
        validator: op["x-amazon-apigateway-request-validator"] as string | undefined,
        models: Object.fromEntries(
          Object.entries(content).map(([type, c]) => [type, resolveRefs(c.schema, raw)]),
        ),
      });
    }
  }
  return { stage: basePath.replace(/^\//, ""), operations, raw };
}

/** Reads the API document from a file (default: the project's). */
export async function loadApiDocument(file = API_DOCUMENT): Promise<ApiDocument> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new Error(`Cannot read the API document ${file}: ${(e as Error).message}`);
  }
  return parseApiDocument(text, file);
}

/** The operation for a method and path template, or undefined. */
export function findOperation(
  doc: ApiDocument,
  method: string,
  path: string,
): Operation | undefined {
  return doc.operations.find((o) => o.method === method.toUpperCase() && o.path === path);
}

/**
 * The request template API Gateway picks for a content type: the one of that type (without
 * parameters such as charset), and `application/json`'s when the request has no Content-Type.
 * Undefined when none matches: then the passthrough behaviour decides.
 */
export function requestTemplate(op: Operation, contentType: string | null): string | undefined {
  const templates = op.integration.requestTemplates ?? {};
  const base = (contentType ?? "").split(";")[0].trim().toLowerCase() || "application/json";
  const key = Object.keys(templates).find((t) => t.toLowerCase() === base);
  return key === undefined ? undefined : templates[key];
}

/** {@linkcode loadApiDocument} for a caller that cannot wait: the gateway's start. */
export function loadApiDocumentSync(file = API_DOCUMENT): ApiDocument {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    throw new Error(`Cannot read the API document ${file}: ${(e as Error).message}`);
  }
  return parseApiDocument(text, file);
}

/** A request path matched to one of the document's paths. */
export interface PathMatch {
  /** The document's path, such as `/streams/{stream-name}/record`. */
  path: string;
  /** Its path parameters, decoded. */
  params: Record<string, string>;
  /** The operations of that path, one per method. */
  operations: Operation[];
}

/**
 * Matches decoded path segments (without the stage) to the document's paths; a literal segment
 * wins over a parameter, as in API Gateway.
 */
export function matchPath(doc: ApiDocument, segments: string[]): PathMatch | undefined {
  let best: { match: PathMatch; literals: number } | undefined;
  for (const path of new Set(doc.operations.map((o) => o.path))) {
    const parts = path.split("/").filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const fits = parts.every((part, i) => {
      const param = /^\{([^}+]+)\}$/.exec(part);
      if (param) {
        params[param[1]] = segments[i];
        return true;
      }
      literals++;
      return part === segments[i];
    });
    if (fits && (!best || literals > best.literals)) {
      const operations = doc.operations.filter((o) => o.path === path);
      best = { match: { path, params, operations }, literals };
    }
  }
  return best?.match;
}

/**
 * The URL an HTTP integration calls: its `uri` with `${stageVariables.x}` filled in and each
 * `{name}` from the method request, as its `requestParameters` map them.
 */
export function integrationUrl(
  op: Operation,
  params: Record<string, string>,
  stageVariables: Record<string, string>,
): string {
  const { uri, requestParameters = {} } = op.integration;
  const withStage = uri.replace(/\$\{stageVariables\.([\w-]+)\}/g, (_, name: string) => {
    const value = stageVariables[name];
    if (value === undefined) {
      throw new Error(
        `${op.method} ${op.path}: its integration uri needs stage variable ${name}, which the ` +
          "stage does not define",
      );
    }
    return value;
  });
  return withStage.replace(/\{([\w-]+)\}/g, (_, name: string) => {
    const from = requestParameters[`integration.request.path.${name}`];
    const source = /^method\.request\.path\.([\w-]+)$/.exec(from ?? "")?.[1] ?? name;
    const value = params[source];
    if (value === undefined) {
      throw new Error(`${op.method} ${op.path}: its integration uri needs path parameter ${name}`);
    }
    return encodeURIComponent(value);
  });
}

/** The Kinesis action of an AWS integration (`arn:aws:apigateway:<region>:kinesis:action/<A>`). */
export function kinesisAction(op: Operation): string {
  const action = /^arn:aws:apigateway:[^:]*:kinesis:action\/(\w+)$/.exec(op.integration.uri)?.[1];
  if (op.integration.type !== "aws" || !action) {
    throw new Error(
      `${op.method} ${op.path} is not a Kinesis integration: its uri is ${op.integration.uri}`,
    );
  }
  return action;
}
