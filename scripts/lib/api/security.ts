/**
 * The document's security schemes, enforced as API Gateway enforces them before anything else:
 * an API key (`type: apiKey`, in the `x-api-key` header as API Gateway reads it) must be one of
 * the stage's keys, else 403 `Forbidden`; IAM (`x-amazon-apigateway-authtype: awsSigv4`) needs a
 * SigV4 `Authorization` header, else 403 `Missing Authentication Token`. Locally the signature
 * itself is not verified: the local stack has no IAM to verify it against.
 *
 * @module
 */
import type { ApiDocument, Operation } from "./document.ts";
import { GatewayError } from "./gateway_error.ts";

/**
 * Checks a request against its operation's security.
 *
 * @example
 * ```ts
 * import { parseApiDocument, API_DOCUMENT, findOperation } from "./document.ts";
 * const doc = parseApiDocument(await Deno.readTextFile(API_DOCUMENT), API_DOCUMENT);
 * // The pipeline's own document is open, as the course's API was.
 * checkSecurity(doc, findOperation(doc, "GET", "/streams")!, new Headers(), []);
 * ```
 */
export function checkSecurity(
  doc: ApiDocument,
  op: Operation,
  headers: Headers,
  apiKeys: string[],
): void {
  for (const name of op.security) {
    const scheme = doc.securitySchemes[name];
    if (scheme["x-amazon-apigateway-authtype"] === "awsSigv4") {
      if (!/^AWS4-HMAC-SHA256 /.test(headers.get("authorization") ?? "")) {
        throw new GatewayError(
          "MISSING_AUTHENTICATION_TOKEN",
          `${op.method} ${op.path} uses IAM authorization (${name}): sign the request with SigV4`,
        );
      }
    } else if (scheme.type === "apiKey") {
      const key = headers.get("x-api-key");
      if (!key || !apiKeys.includes(key)) {
        throw new GatewayError(
          "INVALID_API_KEY",
          `${op.method} ${op.path} needs an API key (${name}) in the x-api-key header` +
            (apiKeys.length ? "" : "; none is set: set PIPELINE_API_KEY for the gateway"),
        );
      }
    } else {
      throw new GatewayError(
        "MISSING_AUTHENTICATION_TOKEN",
        `${op.method} ${op.path} uses security scheme ${name} of type ${scheme.type}, which the ` +
          "local gateway does not serve",
      );
    }
  }
}
