/**
 * The API gateway (API Gateway in the original), executing the API document `api/openapi.yaml`:
 * it routes by the document's paths, on the stage URL (`/<stage>/...`, as AWS's invoke URL
 * ends) and on the bare paths today's clients call. `POST /topics/{topic}` speaks Kafka REST v2,
 * rejects bad input itself (so nothing malformed reaches Kafka) and forwards the rest to the
 * document's HTTP proxy integration, the Kafka REST proxy, answering with its response. Only the
 * pipeline's three topics are open. The `/streams` routes are the Kinesis integrations (see
 * `streams.ts`): their mapping templates are rendered and sent to Kinesis; records go to the
 * pipeline's three streams only.
 *
 * @module
 */
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { streamRoutes } from "./streams.ts";
import {
  type ApiDocument,
  integrationUrl,
  loadApiDocumentSync,
  matchPath,
  type PathMatch,
} from "./document.ts";
import type { Config } from "../core/config.ts";
import { networkReason } from "../core/http.ts";
import {
  checkContentType,
  checkTopicName,
  KAFKA_JSON_V2,
  parseProduceBody,
  readBody,
  RestError,
} from "../kafka/rest.ts";
import { kinesisClient } from "../kinesis/client.ts";
import { KINDS } from "../core/names.ts";

/** Options of {@linkcode startApi}; each defaults to the config. */
export interface ApiOptions {
  hostname?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  restProxyUrl?: string;
  /** Topics the gateway accepts (default: the pin, geo and user topics). */
  topics?: string[];
  /** Streams the gateway writes to (default: the pin, geo and user streams). */
  streams?: string[];
  /** Kinesis client of the stream routes (default: one from the config, closed with the API). */
  kinesis?: KinesisClient;
  /** The API document it executes (default: the project's, `api/openapi.yaml`). */
  document?: ApiDocument;
}

/** A running gateway. */
export interface Api {
  /** Base URL, such as `http://127.0.0.1:8000`. */
  url: string;
  /** The document's stage: the gateway answers on `${url}/${stage}/...` too. */
  stage: string;
  server: Deno.HttpServer<Deno.NetAddr>;
  close(): Promise<void>;
}

type Route = (req: Request, path: string[], match?: PathMatch) => Promise<Response>;

/**
 * Starts the gateway in this process.
 *
 * @example
 * ```ts ignore
 * const api = startApi(cfg, { port: 0 });
 * await fetch(`${api.url}/topics/${cfg.names.topics.pin}`, { method: "POST", ... });
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
  const topics = new Set(opts.topics ?? KINDS.map((k) => cfg.names.topics[k]));
  const document = opts.document ?? loadApiDocumentSync();
  // What the stage defines on AWS, from the config here: where the REST proxy listens, and the
  // ShardCount of a CreateStream without one.
  const stageVariables = {
    restProxyHost: new URL(proxy).host,
    shardCount: String(cfg.kinesis.shards),
  };
  // One keep-alive pool to the proxy, HTTP/1.1 like the proxy speaks; a new connection per
  // request would cost more than the produce itself.
  const client = Deno.createHttpClient({ http2: false, poolMaxIdlePerHost: 64 });

  const produce: Route = async (req, path, match) => {
    if (path.length !== 2) throw noRoute(req);
    const topic = path[1];
    if (req.method !== "POST") {
      throw new RestError(405, 40501, `Use POST /topics/${topic} to produce`);
    }
    checkTopicName(topic);
    if (!topics.has(topic)) {
      throw new RestError(
        404,
        40401,
        `Topic ${JSON.stringify(topic)} not found: this API accepts ${[...topics].join(", ")}`,
      );
    }
    checkContentType(req.headers.get("content-type"));
    const body = await readBody(req);
    parseProduceBody(body);
    const op = match?.operations.find((o) => o.method === "POST");
    if (!op || op.integration.type !== "http_proxy") {
      throw new RestError(
        404,
        40400,
        `No route POST ${new URL(req.url).pathname}: the API document has no HTTP proxy there`,
      );
    }
    let res: Response;
    try {
      res = await fetch(integrationUrl(op, match!.params, stageVariables), {
        method: "POST",
        headers: { "content-type": KAFKA_JSON_V2, accept: "application/json" },
        body,
        client,
      });
    } catch (e) {
      throw new RestError(
        502,
        50201,
        `Cannot reach the Kafka REST proxy at ${proxy}: ${networkReason(e)}; ` +
          "start it with `deno task stack:up`",
      );
    }
    return new Response(res.body, {
      status: res.status,
      headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
    });
  };

  const kinesis = opts.kinesis ?? kinesisClient(cfg);
  const routes: Record<string, Route> = {
    topics: produce,
    streams: streamRoutes({
      kinesis,
      streams: opts.streams ?? KINDS.map((k) => cfg.names.streams[k]),
      document,
      stageVariables,
    }),
  };

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    try {
      if (url.pathname === "/healthy") return Response.json({ ok: true });
      let path = url.pathname.split("/").filter(Boolean).map(decodePart);
      // The invoke URL ends in the stage on AWS; today's clients call the bare paths.
      if (path[0] === document.stage && routes[path[1] ?? ""]) path = path.slice(1);
      const route = routes[path[0] ?? ""];
      if (!route) throw noRoute(req);
      return await route(req, path, matchPath(document, path));
    } catch (e) {
      if (e instanceof RestError) return e.response();
      console.error(`API error on ${req.method} ${url.pathname}: ${(e as Error).message}`);
      return new RestError(500, 50001, `Internal error: ${(e as Error).message}`).response();
    }
  };

  const hostname = opts.hostname ?? cfg.stack.host;
  const port = opts.port ?? cfg.stack.ports.api;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname, port, onListen: () => {} }, handler);
  } catch (e) {
    client.close();
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
    server,
    async close() {
      await server.shutdown();
      client.close();
      if (!opts.kinesis) kinesis.destroy();
    },
  };
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RestError(404, 40400, `Malformed path segment ${JSON.stringify(part)}`);
  }
}

function noRoute(req: Request): RestError {
  return new RestError(
    404,
    40400,
    `No route ${req.method} ${
      new URL(req.url).pathname
    }: use POST /topics/{topic} or PUT /streams/{name}/record`,
  );
}
