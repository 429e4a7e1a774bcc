/**
 * API Gateway's request validation, as the document's validators ask for it: required query
 * string and header parameters, and the body against the model of its content type (JSON
 * Schema draft 4, the draft API Gateway uses, checked by `ajv-draft-04`). A refusal is a 400
 * worded as AWS words it; its hint says what was wrong, as AWS's `validationErrorString` would.
 *
 * @module
 */
import AjvDraft4, { type ValidateFunction } from "ajv-draft-04";
import { mediaType, type Operation } from "./document.ts";
import { GatewayError } from "./gateway_error.ts";

// A CommonJS module: its class is the default export's own `default` to the type checker.
const Ajv = AjvDraft4 as unknown as typeof AjvDraft4.default;
const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validator(schema: object): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const v = ajv.compile(schema);
  compiled.set(schema, v);
  return v;
}

/**
 * Checks the required query string and header parameters, when the operation's validator asks.
 *
 * @example
 * ```ts
 * import { parseApiDocument, API_DOCUMENT, findOperation } from "./document.ts";
 * const doc = parseApiDocument(await Deno.readTextFile(API_DOCUMENT), API_DOCUMENT);
 * checkParameters(findOperation(doc, "GET", "/streams")!, new URLSearchParams(), new Headers());
 * ```
 */
export function checkParameters(op: Operation, query: URLSearchParams, headers: Headers): void {
  if (!op.validates.params) return;
  const missing = op.requiredParams.filter((p) =>
    p.in === "querystring" ? !query.has(p.name) : !headers.has(p.name)
  ).map((p) => p.name);
  if (missing.length) {
    throw new GatewayError(
      "BAD_REQUEST_PARAMETERS",
      `send ${missing.join(", ")}`,
      `Missing required request parameters: [${missing.join(", ")}]`,
    );
  }
}

/**
 * Checks a body against the operation's model for its content type, when the operation's
 * validator asks. A content type without a model is not checked, as in API Gateway.
 *
 * @example
 * ```ts
 * import { parseApiDocument, API_DOCUMENT, findOperation } from "./document.ts";
 * const doc = parseApiDocument(await Deno.readTextFile(API_DOCUMENT), API_DOCUMENT);
 * const put = findOperation(doc, "PUT", "/streams/{stream-name}/record")!;
 * checkBody(put, "application/json", '{"Data":{"a":1},"PartitionKey":"1"}');
 * ```
 */
export function checkBody(op: Operation, contentType: string | null, body: string): void {
  if (!op.validates.body) return;
  const schema = op.models[mediaType(contentType)];
  if (schema === undefined || schema === null || typeof schema !== "object") return;
  if (!op.bodyRequired && body.trim() === "") return;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw new GatewayError("BAD_REQUEST_BODY", `not JSON: ${(e as Error).message}`);
  }
  const validate = validator(schema);
  if (!validate(value)) {
    const err = validate.errors?.[0];
    const where = err?.instancePath ? err.instancePath.slice(1).replaceAll("/", ".") : "the body";
    throw new GatewayError(
      "BAD_REQUEST_BODY",
      `${where} ${err?.message ?? "does not match the model"} (model ${modelName(schema)})`,
    );
  }
}

function modelName(schema: object): string {
  return (schema as { title?: string }).title ?? "of the operation";
}
