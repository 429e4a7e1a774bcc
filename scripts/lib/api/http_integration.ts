/**
 * The document's HTTP integrations, which reach the Kafka REST proxy: `http_proxy` passes the
 * request through (method, headers, query string, body bytes) and the answer back as is; `http`
 * maps both ways with the document's templates (`mapping.ts`).
 *
 * Locally every HTTP integration goes to the local REST proxy, whatever host its uri names: a
 * student's export names their EC2 host, which this machine must never call.
 *
 * @module
 */
import { integrationUrl, type Operation } from "./document.ts";
import { GatewayError } from "./gateway_error.ts";
import { integrationRequestBody, type MappedRequest, methodResponse } from "./mapping.ts";
import { networkReason } from "../core/http.ts";

// Headers that belong to one hop, which API Gateway does not forward either.
const HOP = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "upgrade",
]);

/** Options of {@linkcode httpIntegration}. */
export interface HttpIntegrationOptions {
  /** Base URL of the local REST proxy, such as `http://127.0.0.1:8082`. */
  backend: string;
}

/** Runs one HTTP integration for a request; `bytes` is the body as it came. */
export type HttpIntegration = (
  op: Operation,
  m: MappedRequest,
  bytes: Uint8Array,
) => Promise<Response>;

/**
 * The URL an HTTP integration calls locally: the uri's path and query with the request's
 * parameters, on the local backend's origin.
 *
 * @example
 * ```ts
 * import { parseApiDocument, API_DOCUMENT, findOperation } from "./document.ts";
 * const doc = parseApiDocument(await Deno.readTextFile(API_DOCUMENT), API_DOCUMENT);
 * const op = findOperation(doc, "POST", "/topics/{topic}")!;
 * localIntegrationUrl(op, { topic: "x.pin" }, {}, "http://127.0.0.1:8082");
 * // "http://127.0.0.1:8082/topics/x.pin"
 * ```
 */
export function localIntegrationUrl(
  op: Operation,
  params: Record<string, string>,
  stageVariables: Record<string, string>,
  backend: string,
): string {
  // Any stage variable the uri reads resolves: its host is replaced below anyway.
  const anyStage = new Proxy(stageVariables, {
    get: (t, k: string) => t[k] ?? "stage-variable.invalid",
  });
  const url = new URL(integrationUrl(op, params, anyStage));
  const local = new URL(backend);
  url.protocol = local.protocol;
  url.host = local.host;
  return url.href;
}

/**
 * The HTTP integrations of the gateway.
 *
 * @example
 * ```ts ignore
 * const run = httpIntegration({ backend: cfg.restProxyUrl });
 * const res = await run(op, { req, match, body, document, stageVariables }, bytes);
 * ```
 */
export function httpIntegration(opts: HttpIntegrationOptions): HttpIntegration & {
  close(): void;
} {
  // One keep-alive pool to the proxy, HTTP/1.1 like the proxy speaks; a new connection per
  // request would cost more than the produce itself.
  const client = Deno.createHttpClient({ http2: false, poolMaxIdlePerHost: 64 });
  const run = async (op: Operation, m: MappedRequest, bytes: Uint8Array) => {
    const proxy = op.integration.type === "http_proxy";
    const url = new URL(
      localIntegrationUrl(op, m.match.params, m.stageVariables, opts.backend),
    );
    if (proxy) url.search = new URL(m.req.url).search;
    const headers = new Headers();
    if (proxy) {
      for (const [k, v] of m.req.headers) if (!HOP.has(k)) headers.set(k, v);
    } else {
      headers.set("content-type", m.req.headers.get("content-type") ?? "application/json");
    }
    const method = op.integration.httpMethod === "ANY" ? m.req.method : op.integration.httpMethod;
    const body = method === "GET" || method === "HEAD"
      ? undefined
      : proxy
      ? bytes as Uint8Array<ArrayBuffer>
      : integrationRequestBody(op, m);
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, client });
    } catch (e) {
      throw new GatewayError(
        "INTEGRATION_FAILURE",
        `cannot reach the Kafka REST proxy at ${opts.backend}: ${networkReason(e)}; ` +
          "start it with `deno task stack:up`",
      );
    }
    if (proxy) {
      const out = new Headers();
      for (const [k, v] of res.headers) if (!HOP.has(k)) out.set(k, v);
      return new Response(res.body, { status: res.status, headers: out });
    }
    return methodResponse(op, m, { status: res.status, body: await res.text() });
  };
  return Object.assign(run, { close: () => client.close() });
}
