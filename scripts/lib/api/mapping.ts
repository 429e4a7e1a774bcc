/**
 * The two mapping steps of a non-proxy integration, as API Gateway runs them: the request
 * template chosen by Content-Type (with the passthrough behaviour deciding when none fits), and
 * the integration response chosen by the backend's status (`selectionPattern`, the `responses`
 * keys) with its response template and `$context.responseOverride`.
 *
 * @module
 */
import { type ApiDocument, type Operation, type PathMatch, requestTemplate } from "./document.ts";
import { GatewayError } from "./gateway_error.ts";
import { renderTemplate, TemplateError } from "./vtl.ts";

/** What a mapping template sees of one request. */
export interface MappedRequest {
  req: Request;
  match: PathMatch;
  body: string;
  document: ApiDocument;
  stageVariables: Record<string, string>;
}

function templateInput(m: MappedRequest, op: Operation, body: string) {
  const url = new URL(m.req.url);
  return {
    body,
    params: {
      path: m.match.params,
      querystring: Object.fromEntries(url.searchParams),
      header: Object.fromEntries(m.req.headers),
    },
    context: {
      stage: m.document.stage,
      httpMethod: m.req.method,
      resourcePath: op.path,
      path: url.pathname,
      requestTimeEpoch: Date.now(),
    },
    stageVariables: m.stageVariables,
  };
}

/**
 * The integration request's body: the request template for the Content-Type rendered, or the
 * body itself where the passthrough behaviour lets it through (`when_no_match`; and
 * `when_no_templates` when the integration has none). Otherwise 415, as API Gateway answers.
 */
export function integrationRequestBody(op: Operation, m: MappedRequest): string {
  const templates = op.integration.requestTemplates ?? {};
  const template = requestTemplate(op, m.req.headers.get("content-type"));
  if (template === undefined) {
    const passthrough = op.integration.passthroughBehavior ?? "when_no_match";
    if (
      passthrough === "when_no_match" ||
      (passthrough === "when_no_templates" && Object.keys(templates).length === 0)
    ) {
      return m.body;
    }
    throw new GatewayError(
      "UNSUPPORTED_MEDIA_TYPE",
      `${op.method} ${op.path} has mapping templates for ${
        Object.keys(templates).join(", ") || "no content type"
      } only: send ${Object.keys(templates).join(" or ") || "none"}`,
    );
  }
  try {
    return renderTemplate(template, templateInput(m, op, m.body)).output;
  } catch (e) {
    if (e instanceof TemplateError) {
      throw new GatewayError("BAD_REQUEST_BODY", `${op.method} ${op.path}: ${e.message}`);
    }
    throw e;
  }
}

/** The backend's answer to an integration request. */
export interface IntegrationAnswer {
  status: number;
  body: string;
}

/**
 * The method response of a backend answer: the first `responses` entry whose key (a regex over
 * the status) matches it whole, else `default`; its response template rendered over the answer
 * (or the answer passed through without one); `$context.responseOverride.status` wins.
 */
export function methodResponse(
  op: Operation,
  m: MappedRequest,
  answer: IntegrationAnswer,
): Response {
  const responses = op.integration.responses ?? {};
  const status = String(answer.status);
  const key =
    Object.keys(responses).find((k) => k !== "default" && new RegExp(`^(?:${k})$`).test(status)) ??
      (responses.default ? "default" : undefined);
  const chosen = key === undefined ? undefined : responses[key];
  const headers = { "content-type": "application/json" };
  if (!chosen) return new Response(answer.body, { status: answer.status, headers });
  const template = chosen.responseTemplates?.["application/json"];
  const mapped = Number(chosen.statusCode);
  if (template === undefined) return new Response(answer.body, { status: mapped, headers });
  try {
    const r = renderTemplate(template, templateInput(m, op, answer.body));
    return new Response(r.output, {
      status: r.status ?? mapped,
      headers: { ...headers, ...r.headers },
    });
  } catch (e) {
    if (e instanceof TemplateError) {
      throw new GatewayError(
        "INTEGRATION_FAILURE",
        `the response template of ${op.method} ${op.path} failed on status ${status}: ${e.message}`,
      );
    }
    throw e;
  }
}
