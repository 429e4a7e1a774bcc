/**
 * The Kafka REST v2 produce protocol (Confluent's REST proxy): request validation, response and
 * error shapes. Shared by our REST proxy and the API gateway, so both reject bad input the same
 * way before anything reaches Kafka.
 *
 * @module
 */

/** Content type of JSON records in Kafka REST v2. */
export const KAFKA_JSON_V2 = "application/vnd.kafka.json.v2+json";
/** Content type of the REST proxy's answers (Confluent's, produce responses and errors alike). */
export const KAFKA_V2 = "application/vnd.kafka.v2+json";
/** Largest request body accepted. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/**
 * Deepest JSON nesting accepted in a body (the envelope counts). The pipeline's records are flat
 * rows; Kafka Connect's JSON converter (Jackson) fails a record nested deeper than 1,000 levels,
 * and with it the S3 sink task, so such a body must never reach Kafka.
 */
export const MAX_JSON_DEPTH = 32;

/** One record of a produce request. */
export interface ProduceRecord {
  key?: unknown;
  value: unknown;
  partition?: number;
}

/** An HTTP error with Confluent's body shape `{error_code, message}`. */
export class RestError extends Error {
  constructor(readonly status: number, readonly errorCode: number, message: string) {
    super(message);
    this.name = "RestError";
  }
  /** The JSON response for this error (`contentType`: Confluent's own, for the REST proxy). */
  response(contentType = "application/json"): Response {
    return Response.json({ error_code: this.errorCode, message: this.message }, {
      status: this.status,
      headers: { "content-type": contentType },
    });
  }
}

/** Checks the content type of a produce request (parameters such as charset are allowed). */
export function checkContentType(contentType: string | null): void {
  const base = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (base !== KAFKA_JSON_V2) {
    throw new RestError(
      415,
      41501,
      `Unsupported content type ${JSON.stringify(contentType ?? "")}: send ${KAFKA_JSON_V2}`,
    );
  }
}

/**
 * Reads a body up to {@linkcode MAX_BODY_BYTES} and decodes it as strict UTF-8. A body over the
 * limit is refused from its `Content-Length` before any of it is read, or as soon as the bytes
 * read pass the limit (chunked); a compressed body is refused (415), and a body that cannot be
 * read to its end (shorter than its `Content-Length`, broken chunked encoding) is a 400.
 */
export async function readBody(req: Request): Promise<string> {
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    throw new RestError(
      415,
      41502,
      `Unsupported Content-Encoding ${JSON.stringify(encoding)}: send the body uncompressed`,
    );
  }
  return decodeBody(await readBodyBytes(req));
}

/** Decodes a body as strict UTF-8: a 400 when it is not. */
export function decodeBody(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RestError(400, 40001, "Request body is not valid UTF-8");
  }
}

/**
 * The bytes of a body, as {@linkcode readBody} reads them (the same limits and errors), without
 * decoding them: what a pass-through forwards.
 */
export async function readBodyBytes(req: Request): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    throw new RestError(
      413,
      41301,
      `Request body of ${declared} bytes is over the ${MAX_BODY_BYTES}-byte limit`,
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    try {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (e) {
          throw new RestError(
            400,
            40003,
            `Cannot read the request body to its end (${(e as Error).message}): ` +
              "it is shorter than its Content-Length or its chunked encoding is broken",
          );
        }
        if (next.done) break;
        size += next.value.length;
        if (size > MAX_BODY_BYTES) {
          throw new RestError(413, 41301, `Request body is over the ${MAX_BODY_BYTES}-byte limit`);
        }
        chunks.push(next.value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/**
 * Parses and validates a produce body: `{"records":[{"value": ...}, ...]}`.
 *
 * @example
 * ```ts
 * parseProduceBody('{"records":[{"value":{"a":1}}]}'); // [{ value: { a: 1 } }]
 * ```
 */
export function parseProduceBody(text: string): ProduceRecord[] {
  const body = parseJsonObject(text, '{"records":[{"value":{...}}]}');
  const records = (body as { records?: unknown }).records;
  if (!Array.isArray(records)) {
    throw new RestError(
      422,
      42201,
      'Body has no "records" array: send {"records":[{"value":{...}}]}',
    );
  }
  if (records.length === 0) {
    throw new RestError(422, 42201, '"records" is empty: send at least one record');
  }
  return records.map((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new RestError(422, 42201, `records[${i}] must be an object with a "value"`);
    }
    const rec = r as Record<string, unknown>;
    if (!("value" in rec) || rec.value === undefined) {
      throw new RestError(422, 42201, `records[${i}] has no "value"`);
    }
    // A null value would be a tombstone; the pipeline's topics hold posts, never deletions.
    if (rec.value === null) {
      throw new RestError(422, 42201, `records[${i}].value is null: send the row object`);
    }
    // Every reader of the lake expects one row object per line; a bare value would stop them.
    if (typeof rec.value !== "object" || Array.isArray(rec.value)) {
      throw new RestError(
        422,
        42201,
        `records[${i}].value is ${
          Array.isArray(rec.value) ? "an array" : `a ${typeof rec.value}`
        }: send the row object`,
      );
    }
    const extra = Object.keys(rec).filter((k) => !["key", "value", "partition"].includes(k));
    if (extra.length) {
      throw new RestError(422, 42201, `records[${i}] has unknown field(s) ${extra.join(", ")}`);
    }
    if (
      rec.partition !== undefined &&
      (!Number.isInteger(rec.partition) || (rec.partition as number) < 0)
    ) {
      throw new RestError(422, 42201, `records[${i}].partition must be a non-negative integer`);
    }
    return rec as unknown as ProduceRecord;
  });
}

/**
 * Parses a request body that must be one JSON object: malformed JSON is a 400, anything else
 * than an object a 422 naming the expected `shape`.
 */
export function parseJsonObject(text: string, shape: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new RestError(400, 40001, `Malformed JSON body: ${(e as Error).message}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new RestError(422, 42201, `Body must be a JSON object like ${shape}`);
  }
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new RestError(
      422,
      42202,
      `Body is nested deeper than ${MAX_JSON_DEPTH} levels: send flat rows like ${shape}`,
    );
  }
  return body as Record<string, unknown>;
}

/**
 * Nesting depth of a parsed JSON value (a scalar is 0, `{}` and `[]` are 1), counted without
 * recursion and only up to `limit + 1`, so a hostile body costs no stack and little time.
 *
 * @example
 * ```ts
 * jsonDepth({ records: [{ value: { a: 1 } }] }); // 4
 * ```
 */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > max) max = d + 1;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") stack.push([child, d + 1]);
    }
  }
  return max;
}

/**
 * Topic names: Kafka's legal characters only, so no path tricks reach the broker; Kafka's
 * internal topics (`__consumer_offsets`) are nobody's to produce to.
 */
export function checkTopicName(topic: string): void {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === "." || topic === "..") {
    throw new RestError(
      404,
      40401,
      `Topic ${JSON.stringify(topic)} not found: not a legal Kafka topic name`,
    );
  }
  if (topic.startsWith("__")) {
    throw new RestError(404, 40401, `Topic ${JSON.stringify(topic)} not found: it is internal`);
  }
}

/** Offsets of one produce response, in Confluent's shape. */
export interface ProduceResponse {
  key_schema_id: null;
  value_schema_id: null;
  offsets: { partition: number; offset: number; error_code: null; error: null }[];
}
