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
  /** What its request validator checks (the operation's, else the document's default). */
  validates: { body: boolean; params: boolean };
  /** Query string and header parameters the method request requires. */
  requiredParams: { in: "querystring" | "header"; name: string }[];
  /** Model (JSON schema, `$ref`s resolved) of the body by content type. */
  models: Record<string, unknown>;
  /** Whether the body must be there (`requestBody.required`); an optional one may be empty. */
  bodyRequired: boolean;
  /** The security schemes a request must satisfy (the operation's `security`, else the document's). */
  security: string[];
}

/** The document as the gateway uses it. */
export interface ApiDocument {
  /** The stage the invoke URL ends in (API Gateway's export keeps it as `basePath`). */
  stage: string;
  operations: Operation[];
  /** The document's security schemes by name, as `components.securitySchemes` has them. */
  securitySchemes: Record<string, SecurityScheme>;
  /** The parsed document. */
  raw: Record<string, unknown>;
}

/** A security scheme, with API Gateway's `x-amazon-apigateway-authtype` when it has one. */
export interface SecurityScheme {
  type: string;
  /** For `apiKey`: the header or query parameter that carries the key. */
  name?: string;
  in?: string;
  "x-amazon-apigateway-authtype"?: string;
}

// API Gateway's export writes "ANY" as x-amazon-apigateway-any-method.
const METHODS: Record<string, string> = {
  get: "GET",
  put: "PUT",
  post: "POST",
  delete: "DELETE",
  patch: "PATCH",
  head: "HEAD",
  options: "OPTIONS",
  "x-amazon-apigateway-any-method": "ANY",
};

type Validators = Record<
  string,
  { validateRequestBody?: boolean; validateRequestParameters?: boolean }
>;

/** What a named validator checks; no validator checks nothing, as in API Gateway. */
function validatorChecks(validators: Validators, name: string | undefined, where: string) {
  if (name === undefined) return { body: false, params: false };
  const v = validators[name];
  if (!v) {
    throw new Error(
      `${where} names request validator ${JSON.stringify(name)}, which ` +
        "x-amazon-apigateway-request-validators does not define",
    );
  }
  return { body: v.validateRequestBody === true, params: v.validateRequestParameters === true };
}

/** Names of the schemes of an OpenAPI `security` list (`[{ api_key: [] }]`). */
function schemeNames(security: unknown): string[] | undefined {
  if (!Array.isArray(security)) return undefined;
  return security.flatMap((s) => Object.keys(s as Record<string, unknown>));
}

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
  const validators = (raw["x-amazon-apigateway-request-validators"] ?? {}) as Validators;
  const defaultValidator = raw["x-amazon-apigateway-request-validator"] as string | undefined;
  const components = (raw.components ?? {}) as Record<string, unknown>;
  const securitySchemes = (components.securitySchemes ?? {}) as Record<string, SecurityScheme>;
  const defaultSecurity = schemeNames(raw.security) ?? [];
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries((raw.paths ?? {}) as Record<string, unknown>)) {
    const shared = ((item as Record<string, unknown>).parameters ?? []) as unknown[];
    for (const [key, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      const method = METHODS[key];
      if (!method) continue;
      const integration = op["x-amazon-apigateway-integration"] as Integration | undefined;
      if (!integration) {
        throw new Error(
          `${source}: ${method} ${path} has no x-amazon-apigateway-integration`,
        );
      }
      const where = `${source}: ${method} ${path}`;
      const params = resolveRefs([...shared, ...((op.parameters ?? []) as unknown[])], raw) as {
        name: string;
        in: string;
        required?: boolean;
      }[];
      const security = schemeNames(op.security) ?? defaultSecurity;
      for (const name of security) {
        if (!securitySchemes[name]) {
          throw new Error(`${where} asks for security scheme ${name}, which is not defined`);
        }
      }
      const content = ((op.requestBody as Record<string, unknown> | undefined)?.content ??
        {}) as Record<string, { schema?: unknown }>;
      operations.push({
        method,
        path,
        operationId: op.operationId as string | undefined,
        integration,
        validates: validatorChecks(
          validators,
          (op["x-amazon-apigateway-request-validator"] as string | undefined) ?? defaultValidator,
          where,
        ),
        requiredParams: params
          .filter((p) => p.required && (p.in === "query" || p.in === "header"))
          .map((p) => ({ in: p.in === "query" ? "querystring" : "header", name: p.name })),
        models: Object.fromEntries(
          Object.entries(content).map(([type, c]) => [type, resolveRefs(c.schema, raw)]),
        ),
        bodyRequired: (op.requestBody as { required?: boolean } | undefined)?.required === true,
        security,
      });
    }
  }
  return { stage: basePath.replace(/^\//, ""), operations, securitySchemes, raw };
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
 * The base of a Content-Type (no parameters such as charset), and `application/json` when there
 * is none: what API Gateway picks templates and models by.
 *
 * @example
 * ```ts
 * mediaType("application/json; charset=utf-8"); // "application/json"
 * mediaType(null); // "application/json"
 * ```
 */
export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase() || "application/json";
}

/**
 * The request template API Gateway picks for a content type (see {@linkcode mediaType}).
 * Undefined when none matches: then the passthrough behaviour decides.
 */
export function requestTemplate(op: Operation, contentType: string | null): string | undefined {
  const templates = op.integration.requestTemplates ?? {};
  const base = mediaType(contentType);
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
 * Matches decoded path segments (without the stage) to the document's paths, as API Gateway
 * does: a literal segment wins over a `{param}`, which wins over a greedy `{proxy+}` (one or more
 * segments, joined by "/").
 *
 * @example
 * ```ts
 * const doc = parseApiDocument(await Deno.readTextFile(API_DOCUMENT), API_DOCUMENT);
 * matchPath(doc, ["streams", "s1", "record"])?.params; // { "stream-name": "s1" }
 * ```
 */
export function matchPath(doc: ApiDocument, segments: string[]): PathMatch | undefined {
  let best: { match: PathMatch; score: number[] } | undefined;
  for (const path of new Set(doc.operations.map((o) => o.path))) {
    const parts = path.split("/").filter(Boolean);
    const greedy = /^\{([^}]+)\+\}$/.exec(parts.at(-1) ?? "")?.[1];
    if (greedy ? segments.length < parts.length : segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    // Literals first, then parameters, segment by segment from the left.
    const score: number[] = [];
    const fits = parts.every((part, i) => {
      if (greedy && i === parts.length - 1) {
        params[greedy] = segments.slice(i).join("/");
        score.push(0);
        return true;
      }
      const param = /^\{([^}+]+)\}$/.exec(part);
      if (param) {
        params[param[1]] = segments[i];
        score.push(1);
        return true;
      }
      score.push(2);
      return part === segments[i];
    });
    if (fits && (!best || compare(score, best.score) > 0)) {
      const operations = doc.operations.filter((o) => o.path === path);
      best = { match: { path, params, operations }, score };
    }
  }
  return best?.match;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? -1) !== (b[i] ?? -1)) return (a[i] ?? -1) - (b[i] ?? -1);
  }
  return 0;
}

/** The operation of a matched path for a method: its own, else the path's `ANY`. */
export function operationFor(match: PathMatch, method: string): Operation | undefined {
  const upper = method.toUpperCase();
  return match.operations.find((o) => o.method === upper) ??
    match.operations.find((o) => o.method === "ANY");
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
    // A greedy parameter is a path of its own: its slashes stay slashes.
    const greedy = op.path.includes(`{${source}+}`);
    return greedy ? value.split("/").map(encodeURIComponent).join("/") : encodeURIComponent(value);
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
