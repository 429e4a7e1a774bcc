/**
 * The API gateway (API Gateway in the original), executing an API document (the project's
 * `api/openapi.yaml`, or another export named by PIPELINE_API_DEFINITION) as API Gateway does:
 *
 * 1. route by the document's paths, on the stage URL (`/<stage>/...`, as AWS's invoke URL ends)
 *    and on the bare paths; an unknown path or method is 403 `Missing Authentication Token`;
 * 2. the security scheme, then the request validator (parameters, the body against its model);
 * 3. the integration: HTTP ones reach the local Kafka REST proxy (`http_integration.ts`), AWS
 *    ones Kinesis (`kinesis_integration.ts`), with the document's templates both ways.
 *
 * What the pipeline refuses beyond the document lives where it lives on AWS: in the REST proxy
 * (Confluent's error contract: content type, body shape, unknown topics) and in Kinesis (its
 * limits, and the integration role's streams).
 *
 * @module
 */
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import {
  type ApiDocument,
  loadApiDocumentSync,
  matchPath,
  type Operation,
  operationFor,
  type PathMatch,
} from "./document.ts";
import { GatewayError } from "./gateway_error.ts";
import { httpIntegration } from "./http_integration.ts";
import { kinesisIntegration } from "./kinesis_integration.ts";
import type { MappedRequest } from "./mapping.ts";
import { checkSecurity } from "./security.ts";
import { checkBody, checkParameters } from "./validate.ts";
import type { Config } from "../core/config.ts";
import { decodeBody, readBodyBytes, RestError } from "../kafka/rest.ts";
import { kinesisClient } from "../kinesis/client.ts";
import { KINDS } from "../core/names.ts";

/** Options of {@linkcode startApi}; each defaults to the config. */
export interface ApiOptions {
  hostname?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  restProxyUrl?: string;
  /** Streams the integration role may write to (default: the pin, geo and user streams). */
  streams?: string[];
  /** Kinesis client of the AWS integrations (default: one from the config, closed with the API). */
  kinesis?: KinesisClient;
  /** The API document it executes (default: the config's `apiDefinition`). */
  document?: ApiDocument;
  /** API keys a document's `apiKey` scheme accepts (default: the config's `apiKey`). */
  apiKeys?: string[];
}

/** A running gateway. */
export interface Api {
  /** Base URL, such as `http://127.0.0.1:8000`. */
  url: string;
  /** The document's stage: the gateway answers on `${url}/${stage}/...` too. */
  stage: string;
  document: ApiDocument;
  server: Deno.HttpServer<Deno.NetAddr>;
  close(): Promise<void>;
}

/**
 * Starts the gateway in this process.
 *
 * @example
 * ```ts ignore
 * const api = startApi(cfg, { port: 0 });
 * await fetch(`${api.url}/${api.stage}/topics/${cfg.names.topics.pin}`, { method: "POST", ... });
 * await api.close();
 * ```
 */
export function startApi(cfg: Config, opts: ApiOptions = {}): Api {
  const proxy = (opts.restProxyUrl ?? cfg.restProxyUrl)?.replace(/\/$/, "");
  if (!proxy) {
    throw new Error(
      `No Kafka REST proxy in profile ${cfg.profile}: there the API is API Gateway at ` +
        `${cfg.apiUrl}; set PIPELINE_REST_PROXY_URL to run the local gateway against a proxy`,
    );
  }
  const document = opts.document ?? loadApiDocumentSync(cfg.apiDefinition);
  const apiKeys = opts.apiKeys ?? (cfg.apiKey ? [cfg.apiKey] : []);
  // What the stage defines on AWS, from the config here: where the REST proxy listens, and the
  // ShardCount of a CreateStream without one.
  const stageVariables = {
    restProxyHost: new URL(proxy).host,
    shardCount: String(cfg.kinesis.shards),
  };
  const http = httpIntegration({ backend: proxy });
  const kinesis = opts.kinesis ?? kinesisClient(cfg);
  const aws = kinesisIntegration({
    kinesis,
    endpoint: cfg.kinesis.endpoint ?? `Kinesis in ${cfg.region}`,
    role: {
      name: cfg.names.apiKinesisRole,
      writableStreams: opts.streams ?? KINDS.map((k) => cfg.names.streams[k]),
      region: cfg.region,
    },
  });

  const integrate = async (op: Operation, req: Request, match: PathMatch) => {
    const url = new URL(req.url);
    checkSecurity(document, op, req.headers, apiKeys);
    checkParameters(op, url.searchParams, req.headers);
    const bytes = await readBodyBytes(req);
    const type = op.integration.type;
    // A proxy passes the bytes as they came; templates and models read them as text.
    const body = type === "http_proxy" && !op.validates.body ? "" : decodeBody(bytes);
    checkBody(op, req.headers.get("content-type"), body);
    const m: MappedRequest = { req, match, body, document, stageVariables };
    if (type === "http" || type === "http_proxy") return await http(op, m, bytes);
    if (type === "aws" && /:kinesis:action\//.test(op.integration.uri)) return await aws(op, m);
    throw new GatewayError(
      "INTEGRATION_FAILURE",
      `${op.method} ${op.path} integrates ${type} ${op.integration.uri}, which the local ` +
        "gateway does not run (it runs HTTP integrations and Kinesis actions)",
    );
  };

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    try {
      if (url.pathname === "/healthy") return Response.json({ ok: true });
      let path = url.pathname.split("/").filter(Boolean).map(decodePart);
      // The invoke URL ends in the stage on AWS; today's clients call the bare paths.
      if (path[0] === document.stage && path.length > 1) path = path.slice(1);
      const match = matchPath(document, path);
      const op = match && operationFor(match, req.method);
      if (!match || !op) throw noRoute(req, document, match);
      return await integrate(op, req, match);
    } catch (e) {
      if (e instanceof GatewayError || e instanceof RestError) {
        if (e instanceof GatewayError && e.kind === "INTEGRATION_FAILURE") {
          console.error(`API ${req.method} ${url.pathname}: ${e.message}`);
        }
        return e.response();
      }
      console.error(`API error on ${req.method} ${url.pathname}: ${(e as Error).message}`);
      return new GatewayError("INTEGRATION_FAILURE", (e as Error).message).response();
    }
  };

  const hostname = opts.hostname ?? cfg.stack.host;
  const port = opts.port ?? cfg.stack.ports.api;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname, port, onListen: () => {} }, handler);
  } catch (e) {
    http.close();
    if (!opts.kinesis) kinesis.destroy();
    if (e instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `Cannot start the API on ${hostname}:${port}: the port is taken; stop the other ` +
          "process or set PIPELINE_PORT_API to a free port",
      );
    }
    throw e;
  }
  return {
    url: `http://${hostname}:${server.addr.port}`,
    stage: document.stage,
    document,
    server,
    async close() {
      await server.shutdown();
      http.close();
      if (!opts.kinesis) kinesis.destroy();
    },
  };
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new GatewayError(
      "MISSING_AUTHENTICATION_TOKEN",
      `malformed path segment ${JSON.stringify(part)}`,
    );
  }
}

/** API Gateway's answer to a path or method its document lacks, with the routes it has. */
function noRoute(req: Request, doc: ApiDocument, match?: PathMatch): GatewayError {
  const where = `${req.method} ${new URL(req.url).pathname}`;
  if (match) {
    return new GatewayError(
      "MISSING_AUTHENTICATION_TOKEN",
      `no ${req.method} on ${match.path} in the API document; it has ${
        match.operations.map((o) => o.method).join(", ")
      } there`,
    );
  }
  const routes = doc.operations.map((o) => `${o.method} ${o.path}`).join(", ");
  return new GatewayError(
    "MISSING_AUTHENTICATION_TOKEN",
    `no route ${where} in the API document (stage ${doc.stage}): it has ${routes}`,
  );
}
