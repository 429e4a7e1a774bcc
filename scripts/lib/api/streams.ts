/**
 * The gateway's Kinesis routes with API Gateway's mapping semantics (docs/spec.md §3): the stream
 * name comes from the path, `Data` is serialised as JSON text and becomes the record's bytes, and
 * the answer is what Kinesis answered. Bad input is rejected here, so nothing malformed is written.
 *
 * | route | Kinesis call |
 * |---|---|
 * | `GET /streams` | ListStreams |
 * | `GET /streams/{name}` | DescribeStream |
 * | `POST /streams/{name}` | CreateStream (`{"ShardCount": n}` optional) |
 * | `DELETE /streams/{name}` | DeleteStream |
 * | `PUT /streams/{name}/record` | PutRecord (`{"StreamName","Data","PartitionKey"}`) |
 * | `PUT /streams/{name}/records` | PutRecords (`{"StreamName","Records":[{"Data","PartitionKey"}]}`) |
 *
 * @module
 */
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  type KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { Buffer } from "node:buffer";
import { parseJsonObject, readBody, RestError } from "../kafka/rest.ts";
import {
  type ApiDocument,
  kinesisAction,
  type Operation,
  type PathMatch,
  requestTemplate,
} from "./document.ts";
import { renderTemplate, TemplateError } from "./vtl.ts";

/** Content type of the stream routes' bodies. */
export const STREAM_JSON = "application/json";
/** Kinesis's limit on one record: data and partition key together. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Kinesis's limit on records per PutRecords request. */
export const MAX_PUT_RECORDS = 500;
/**
 * Kinesis's limit on one PutRecords request: data and partition keys of all its records. Checked
 * here so an oversized request is the caller's 413, not whatever the Kinesis in use answers
 * (kinesalite cuts off requests over 7 MiB on the wire with a bare 413, which reads as a failure
 * of Kinesis).
 */
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
/** Kinesis's limit on a partition key, in Unicode characters. */
export const MAX_PARTITION_KEY = 256;

/** One record ready for Kinesis. */
export interface StreamRecord {
  data: Uint8Array;
  partitionKey: string;
}

const encoder = new TextEncoder();

function invalid(message: string): RestError {
  return new RestError(422, 42201, message);
}

function checkStreamName(body: Record<string, unknown>): void {
  if (body.StreamName !== undefined && typeof body.StreamName !== "string") {
    throw invalid('"StreamName" must be a string (the stream is taken from the path)');
  }
}

/** Validates one `{Data, PartitionKey}` entry; `at` names it in messages. */
function toRecord(entry: Record<string, unknown>, at: string): StreamRecord {
  if (!("Data" in entry) || entry.Data === undefined) throw invalid(`${at} has no "Data"`);
  if (entry.Data === null) throw invalid(`${at}"Data" is null: send the row object`);
  const key = entry.PartitionKey;
  if (typeof key !== "string" || key.length === 0) {
    throw invalid(`${at} needs "PartitionKey", a non-empty string`);
  }
  if ([...key].length > MAX_PARTITION_KEY) {
    throw invalid(`${at}"PartitionKey" is over ${MAX_PARTITION_KEY} characters`);
  }
  // API Gateway's mapping template puts $input.json('$.Data') into the record: JSON text.
  const data = encoder.encode(JSON.stringify(entry.Data));
  const size = data.length + encoder.encode(key).length;
  if (size > MAX_RECORD_BYTES) {
    throw new RestError(
      413,
      41301,
      `${at}record of ${size} bytes is over Kinesis's ${MAX_RECORD_BYTES}-byte limit`,
    );
  }
  return { data, partitionKey: key };
}

/**
 * Parses and validates a PutRecord body: `{"StreamName","Data","PartitionKey"}`.
 *
 * @example
 * ```ts
 * const r = parsePutRecordBody('{"StreamName":"s","Data":{"ind":1},"PartitionKey":"1"}');
 * new TextDecoder().decode(r.data); // '{"ind":1}'
 * ```
 */
export function parsePutRecordBody(text: string): StreamRecord {
  const body = parseJsonObject(text, '{"StreamName":"...","Data":{...},"PartitionKey":"..."}');
  checkStreamName(body);
  const extra = Object.keys(body).filter((k) =>
    !["StreamName", "Data", "PartitionKey"].includes(k)
  );
  if (extra.length) throw invalid(`Body has unknown field(s) ${extra.join(", ")}`);
  return toRecord(body, "Body ");
}

/**
 * Parses and validates a PutRecords body: `{"StreamName","Records":[{"Data","PartitionKey"}]}`.
 *
 * @example
 * ```ts
 * parsePutRecordsBody('{"Records":[{"Data":{"ind":1},"PartitionKey":"1"}]}').length; // 1
 * ```
 */
export function parsePutRecordsBody(text: string): StreamRecord[] {
  const body = parseJsonObject(
    text,
    '{"StreamName":"...","Records":[{"Data":{...},"PartitionKey":"..."}]}',
  );
  checkStreamName(body);
  const extra = Object.keys(body).filter((k) => !["StreamName", "Records"].includes(k));
  if (extra.length) throw invalid(`Body has unknown field(s) ${extra.join(", ")}`);
  const records = body.Records;
  if (!Array.isArray(records)) throw invalid('Body has no "Records" array');
  if (records.length === 0) throw invalid('"Records" is empty: send at least one record');
  if (records.length > MAX_PUT_RECORDS) {
    throw invalid(
      `"Records" has ${records.length} entries; Kinesis takes at most ${MAX_PUT_RECORDS}`,
    );
  }
  const parsed = records.map((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw invalid(`Records[${i}] must be an object with "Data" and "PartitionKey"`);
    }
    const extraField = Object.keys(r).filter((k) => !["Data", "PartitionKey"].includes(k));
    if (extraField.length) {
      throw invalid(`Records[${i}] has unknown field(s) ${extraField.join(", ")}`);
    }
    return toRecord(r as Record<string, unknown>, `Records[${i}] `);
  });
  const total = parsed.reduce(
    (n, r) => n + r.data.length + encoder.encode(r.partitionKey).length,
    0,
  );
  if (total > MAX_PUT_RECORDS_BYTES) {
    throw new RestError(
      413,
      41301,
      `"Records" hold ${total} bytes, over Kinesis's ${MAX_PUT_RECORDS_BYTES}-byte limit ` +
        "per request",
    );
  }
  return parsed;
}

/** Checks a stream route's content type (parameters such as charset are allowed). */
export function checkStreamContentType(contentType: string | null): void {
  const base = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (base !== STREAM_JSON) {
    throw new RestError(
      415,
      41501,
      `Unsupported content type ${JSON.stringify(contentType ?? "")}: send ${STREAM_JSON}`,
    );
  }
}

/** Stream names Kinesis accepts, so no path tricks reach it. */
function checkLegalName(name: string): void {
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(name)) {
    throw new RestError(404, 40402, `Stream ${JSON.stringify(name)} not found: not a legal name`);
  }
}

/** Kinesis's JSON protocol writes timestamps as epoch seconds; so does this pass-through. */
function wire(output: object): Response {
  const { $metadata: _, ...rest } = output as Record<string, unknown>;
  return new Response(
    JSON.stringify(rest, function (key, value) {
      const raw = (this as Record<string, unknown>)[key];
      return raw instanceof Date ? raw.getTime() / 1000 : value;
    }),
    { status: 200, headers: { "content-type": STREAM_JSON } },
  );
}

/** Turns a Kinesis failure into the gateway's error: the status says whether a retry may help. */
export function kinesisFailure(what: string, stream: string, e: unknown): RestError {
  const err = e as Error & { $metadata?: { httpStatusCode?: number } };
  const detail = `${err.name}: ${err.message}`;
  switch (err.name) {
    case "ResourceNotFoundException":
      return new RestError(404, 40402, `${what} on stream ${stream} failed: ${detail}`);
    case "ProvisionedThroughputExceededException":
    case "LimitExceededException":
      return new RestError(429, 42901, `${what} on stream ${stream} throttled: ${detail}`);
    case "ResourceInUseException":
      return new RestError(409, 40901, `${what} on stream ${stream} failed: ${detail}`);
    case "InvalidArgumentException":
    case "ValidationException":
      return new RestError(400, 40002, `${what} on stream ${stream} refused: ${detail}`);
  }
  if (err.$metadata?.httpStatusCode === undefined) {
    return new RestError(
      502,
      50202,
      `Cannot reach Kinesis for ${what} on stream ${stream}: ${err.message}; ` +
        "start it with `deno task stack:up`",
    );
  }
  return new RestError(502, 50203, `${what} on stream ${stream} failed in Kinesis: ${detail}`);
}

/** Options of {@linkcode streamRoutes}. */
export interface StreamRoutesOptions {
  kinesis: KinesisClient;
  /** Streams open to writes (records, create, delete); reads (list, describe) are open. */
  streams: string[];
  /** The API document whose Kinesis integrations and mapping templates the routes execute. */
  document: ApiDocument;
  /** The stage's variables the templates read (`shardCount`: ShardCount without a body). */
  stageVariables: Record<string, string>;
}

/**
 * A route of the gateway: the request, its decoded path segments (without the stage) and the
 * document's path they matched, if any.
 */
export type StreamRoute = (req: Request, path: string[], match?: PathMatch) => Promise<Response>;

/** The SDK command of each Kinesis action the document may integrate. */
const COMMANDS = {
  ListStreams: (i: Record<string, unknown>) => new ListStreamsCommand(i),
  DescribeStream: (i: Record<string, unknown>) =>
    new DescribeStreamCommand(i as { StreamName: string }),
  CreateStream: (i: Record<string, unknown>) =>
    new CreateStreamCommand(i as { StreamName: string; ShardCount: number }),
  DeleteStream: (i: Record<string, unknown>) =>
    new DeleteStreamCommand(i as { StreamName: string }),
  // Kinesis's JSON carries Data in base64, as the template wrote it; the SDK wants the bytes.
  PutRecord: (i: Record<string, unknown>) =>
    new PutRecordCommand({ ...i, Data: bytes(i.Data) } as {
      StreamName: string;
      Data: Uint8Array;
      PartitionKey: string;
    }),
  PutRecords: (i: Record<string, unknown>) =>
    new PutRecordsCommand({
      ...i,
      Records: ((i.Records ?? []) as Record<string, unknown>[]).map((r) => ({
        ...r,
        Data: bytes(r.Data),
      })),
    } as { StreamName: string; Records: { Data: Uint8Array; PartitionKey: string }[] }),
} as Record<string, (input: Record<string, unknown>) => Parameters<KinesisClient["send"]>[0]>;

function bytes(base64: unknown): Uint8Array {
  if (typeof base64 !== "string") {
    throw new RestError(400, 40003, "The mapping template rendered a Data that is not base64 text");
  }
  return new Uint8Array(Buffer.from(base64, "base64"));
}

/**
 * The `/streams` routes.
 *
 * @example
 * ```ts ignore
 * const route = streamRoutes({ kinesis, streams, document, stageVariables: { shardCount: "1" } });
 * await route(new Request("http://x/streams"), ["streams"]); // ListStreams
 * ```
 */
export function streamRoutes(opts: StreamRoutesOptions): StreamRoute {
  const { kinesis } = opts;
  const writable = new Set(opts.streams);
  const known = (stream: string) => {
    checkLegalName(stream);
    if (!writable.has(stream)) {
      throw new RestError(
        404,
        40402,
        `Stream ${JSON.stringify(stream)} not found: this API writes to ${
          [...writable].join(", ")
        }`,
      );
    }
  };
  const methodError = (req: Request, allowed: string, route: string) =>
    new RestError(405, 40501, `Use ${allowed} ${route}; ${req.method} is not allowed there`);
  const call = async (what: string, stream: string, send: () => Promise<object>) => {
    try {
      return wire(await send());
    } catch (e) {
      throw kinesisFailure(what, stream, e);
    }
  };
  /**
   * The document's integration of this request: its request template rendered for the request
   * and sent to Kinesis as the action its uri names. `contentType` picks the template; null takes
   * the application/json one, as API Gateway does without a Content-Type.
   */
  const integrate = async (
    req: Request,
    match: PathMatch | undefined,
    stream: string,
    body: string,
    contentType: string | null,
  ) => {
    const op = match?.operations.find((o) => o.method === req.method);
    if (!op) throw notInDocument(req);
    const action = kinesisAction(op);
    const command = COMMANDS[action];
    if (!command) throw notInDocument(req, `Kinesis action ${action} is not served locally`);
    const input = renderAction(op, req, match!, body, contentType, opts);
    return await call(action, stream, () => kinesis.send(command(input)) as Promise<object>);
  };

  return async (req, path, match) => {
    if (path.length === 1) {
      if (req.method !== "GET") throw methodError(req, "GET", "/streams");
      return await integrate(req, match, "*", "", null);
    }
    const stream = path[1];
    if (path.length === 2) {
      if (req.method === "GET") {
        checkLegalName(stream);
        return await integrate(req, match, stream, "", null);
      }
      if (req.method === "POST") {
        known(stream);
        const text = await readBody(req);
        if (text.trim()) {
          const body = parseJsonObject(text, '{"ShardCount": 1}');
          if (body.ShardCount !== undefined) {
            if (!Number.isInteger(body.ShardCount) || (body.ShardCount as number) < 1) {
              throw invalid('"ShardCount" must be a positive integer');
            }
          }
        }
        // Today's clients send CreateStream with any content type; its template is JSON's.
        return await integrate(req, match, stream, text, null);
      }
      if (req.method === "DELETE") {
        known(stream);
        return await integrate(req, match, stream, "", null);
      }
      throw methodError(req, "GET, POST or DELETE", `/streams/${stream}`);
    }
    if (path.length === 3 && (path[2] === "record" || path[2] === "records")) {
      // Unknown streams answer 404 whatever the method, like an unknown topic does.
      known(stream);
      if (req.method !== "PUT") throw methodError(req, "PUT", `/streams/${stream}/${path[2]}`);
      checkStreamContentType(req.headers.get("content-type"));
      const text = await readBody(req);
      if (path[2] === "record") parsePutRecordBody(text);
      else parsePutRecordsBody(text);
      return await integrate(req, match, stream, text, req.headers.get("content-type"));
    }
    throw new RestError(
      404,
      40400,
      `No route ${req.method} ${new URL(req.url).pathname}: use /streams, /streams/{name}, ` +
        "/streams/{name}/record or /streams/{name}/records",
    );
  };
}

/** A route the gateway knows but the API document does not define. */
function notInDocument(req: Request, why?: string): RestError {
  return new RestError(
    404,
    40400,
    `No route ${req.method} ${new URL(req.url).pathname}: ${
      why ?? "the API document defines no such method there"
    }`,
  );
}

/** Renders an operation's request template into the Kinesis action's JSON input. */
function renderAction(
  op: Operation,
  req: Request,
  match: PathMatch,
  body: string,
  contentType: string | null,
  opts: StreamRoutesOptions,
): Record<string, unknown> {
  const template = requestTemplate(op, contentType);
  if (template === undefined) {
    // Passthrough "never": API Gateway refuses a content type it has no template for.
    throw new RestError(
      415,
      41501,
      `Unsupported content type ${JSON.stringify(contentType ?? "")}: send ${STREAM_JSON}`,
    );
  }
  const url = new URL(req.url);
  let output: string;
  try {
    output = renderTemplate(template, {
      body,
      params: {
        path: match.params,
        querystring: Object.fromEntries(url.searchParams),
        header: Object.fromEntries(req.headers),
      },
      context: {
        stage: opts.document.stage,
        httpMethod: req.method,
        resourcePath: op.path,
        path: url.pathname,
        requestTimeEpoch: Date.now(),
      },
      stageVariables: opts.stageVariables,
    }).output;
  } catch (e) {
    if (e instanceof TemplateError) {
      throw new RestError(400, 40003, `${op.method} ${op.path}: ${e.message}`);
    }
    throw e;
  }
  try {
    return JSON.parse(output);
  } catch (e) {
    throw new RestError(
      400,
      40003,
      `The mapping template of ${op.method} ${op.path} rendered no JSON for Kinesis ` +
        `(${(e as Error).message}): fix its requestTemplates in the API document`,
    );
  }
}
