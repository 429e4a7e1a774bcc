/**
 * The API document (api/openapi.yaml) as API Gateway deploys it: the same document with, in every
 * `x-amazon-apigateway-integration` of type `aws`, the role API Gateway assumes (`credentials`)
 * and the deployment's region in its `uri`. Nothing else changes, so every later edit of the
 * document reaches AWS as it is.
 *
 * @module
 */

/** What the deployment adds to the document. */
export interface DeployFields {
  region: string;
  /** ARN (or a CDK token of it) of the role the AWS integrations assume. */
  roleArn: string;
}

const OPERATIONS = ["get", "put", "post", "delete", "patch", "head", "options"];

/**
 * The `x-amazon-apigateway-integration`s of type `aws` of a document, with their place.
 *
 * @example
 * ```ts
 * import { awsIntegrations } from "./api_body.ts";
 * const doc = { paths: { "/s": { get: { "x-amazon-apigateway-integration": { type: "aws", uri: "arn:aws:apigateway:us-east-1:kinesis:action/ListStreams" } } } } };
 * awsIntegrations(doc).map((i) => `${i.method} ${i.path}`); // ["get /s"]
 * ```
 */
export function awsIntegrations(
  doc: Record<string, unknown>,
): { path: string; method: string; integration: Record<string, unknown> }[] {
  const found = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, unknown>)) {
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      if (!OPERATIONS.includes(method)) continue;
      const integration = op["x-amazon-apigateway-integration"] as
        | Record<string, unknown>
        | undefined;
      if (integration?.type === "aws") found.push({ path, method, integration });
    }
  }
  return found;
}

/**
 * A copy of the parsed document, ready for `AWS::ApiGateway::RestApi`'s `Body`.
 *
 * @example
 * ```ts
 * import { deployableApiBody } from "./api_body.ts";
 * const doc = { paths: { "/streams": { get: { "x-amazon-apigateway-integration": {
 *   type: "aws", uri: "arn:aws:apigateway:us-east-1:kinesis:action/ListStreams" } } } } };
 * const body = deployableApiBody(doc, { region: "eu-west-1", roleArn: "arn:aws:iam::1:role/api" });
 * // body.paths["/streams"].get["x-amazon-apigateway-integration"]:
 * // { type: "aws", uri: "arn:aws:apigateway:eu-west-1:kinesis:action/ListStreams",
 * //   credentials: "arn:aws:iam::1:role/api" }
 * ```
 */
export function deployableApiBody(
  doc: Record<string, unknown>,
  fields: DeployFields,
): Record<string, unknown> {
  const body = structuredClone(doc);
  for (const { path, method, integration } of awsIntegrations(body)) {
    const uri = String(integration.uri ?? "");
    const m = /^arn:aws:apigateway:[^:]*:(.*)$/.exec(uri);
    if (!m) {
      throw new Error(
        `API document: ${method.toUpperCase()} ${path} is an aws integration whose uri ` +
          `${JSON.stringify(uri)} is not arn:aws:apigateway:<region>:<service>:...`,
      );
    }
    integration.uri = `arn:aws:apigateway:${fields.region}:${m[1]}`;
    integration.credentials = fields.roleArn;
  }
  return body;
}
