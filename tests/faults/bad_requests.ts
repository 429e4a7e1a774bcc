/**
 * The bad-input corpus of the API (issue #7): requests that must each be answered with a 4xx and
 * a JSON message saying what is wrong, and produce nothing, on the Kafka REST routes
 * (`POST /topics/{topic}`) and the Kinesis routes (`/streams/...`). Each request is kept as the
 * exact bytes to send (method, request target, headers, body and framing), so path tricks reach
 * the API as written instead of being normalised by a client's URL parser.
 *
 * @module
 */
import { KAFKA_JSON_V2, MAX_BODY_BYTES, MAX_JSON_DEPTH } from "../../scripts/lib/kafka/rest.ts";
import {
  MAX_PUT_RECORDS,
  MAX_PUT_RECORDS_BYTES,
  MAX_RECORD_BYTES,
  STREAM_JSON,
} from "../../scripts/lib/api/kinesis_integration.ts";

/** What kind of bad input a case is. */
export type Category =
  | "content type"
  | "malformed JSON"
  | "truncated"
  | "missing or wrong fields"
  | "huge body"
  | "unknown topic or stream"
  | "non-UTF-8"
  | "path trick"
  | "method";

/** One bad request and the answer it must get. */
export interface BadRequest {
  name: string;
  category: Category;
  /** The route family it aims at. */
  route: "topics" | "streams";
  method: string;
  /** Request target exactly as sent, e.g. `/topics/../x`. */
  target: string;
  /** Headers besides Host, Connection and the body framing. */
  headers: Record<string, string>;
  body: Uint8Array;
  /**
   * How the body is framed: `length` (Content-Length of the body, the default), `chunked`, or a
   * declared Content-Length that differs from the bytes sent; `halfClose` ends the upload there.
   */
  framing?: "length" | "chunked" | { contentLength: number; halfClose: boolean };
  /** Expected status. */
  status: number;
  /** What the `message` of the JSON answer must say. */
  message: RegExp;
}

/** The test's names the corpus aims at. */
export interface CorpusNames {
  userId: string;
  topics: { pin: string; geo: string; user: string };
  streams: { pin: string; geo: string; user: string };
}

const enc = new TextEncoder();
const text = (s: string) => enc.encode(s);
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The corpus for one user id's topics and streams. */
export function badRequests(n: CorpusNames): BadRequest[] {
  const kafka = { "content-type": KAFKA_JSON_V2 };
  const json = { "content-type": STREAM_JSON };
  const row = { index: 1, unique_id: "00000000-0000-4000-8000-000000000001", title: "t" };
  const goodProduce = JSON.stringify({ records: [{ value: row }] });
  const goodPut = JSON.stringify({ StreamName: n.streams.pin, Data: row, PartitionKey: "1" });
  const pin = `/topics/${n.topics.pin}`;
  const geo = `/topics/${n.topics.geo}`;
  const user = `/topics/${n.topics.user}`;
  const record = `/streams/${n.streams.pin}/record`;
  const records = `/streams/${n.streams.geo}/records`;
  // One builder per route: the cases differ only in what they send and what they must get back.
  const on = (route: BadRequest["route"], method: string, target: string, headers: typeof json) =>
  (
    name: string,
    category: Category,
    body: string | Uint8Array,
    status: number,
    message: RegExp,
    extra: Partial<BadRequest> = {},
  ): BadRequest => ({
    name,
    category,
    route,
    method,
    target,
    headers,
    body: typeof body === "string" ? text(body) : body,
    status,
    message,
    ...extra,
  });
  const topicPost = on("topics", "POST", pin, kafka);
  const streamPut = on("streams", "PUT", record, json);
  const huge = new Uint8Array(MAX_BODY_BYTES + 1024 * 1024).fill(0x20);
  huge.set(text('{"records":[{"value":{"a":"'));
  const latin1 = new Uint8Array([
    ...text('{"records":[{"value":{"city":"Bogot'),
    0xe1,
    ...text('"}}]}'),
  ]);

  return [
    // Content types and encodings.
    topicPost(
      "JSON content type on a topic",
      "content type",
      goodProduce,
      415,
      /send application\/vnd\.kafka\.json\.v2\+json/,
      {
        headers: json,
      },
    ),
    topicPost(
      "no content type on a topic",
      "content type",
      goodProduce,
      415,
      /Unsupported content type "": send application\/vnd\.kafka/,
      {
        headers: {},
      },
    ),
    topicPost(
      "text/plain on a topic",
      "content type",
      goodProduce,
      415,
      /Unsupported content type "text\/plain; charset=utf-8"/,
      {
        target: geo,
        headers: { "content-type": "text/plain; charset=utf-8" },
      },
    ),
    topicPost(
      "gzip-encoded body on a topic",
      "content type",
      new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]),
      415,
      /Unsupported Content-Encoding "gzip"/,
      {
        headers: { ...kafka, "content-encoding": "gzip" },
      },
    ),
    streamPut(
      "Kafka content type on a stream",
      "content type",
      goodPut,
      415,
      /send application\/json/,
      {
        headers: kafka,
      },
    ),
    streamPut(
      "form content type on PutRecords",
      "content type",
      "Records=1",
      415,
      /^Unsupported Media Type: PUT \/streams\/\{stream-name\}\/records has mapping templates for application\/json only/,
      {
        target: records,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
    ),

    // Malformed and truncated JSON.
    topicPost(
      "truncated JSON on a topic",
      "malformed JSON",
      goodProduce.slice(0, 30),
      400,
      /Malformed JSON body/,
    ),
    topicPost("empty body on a topic", "malformed JSON", "", 400, /Malformed JSON body/, {
      target: user,
    }),
    topicPost(
      "trailing garbage after the JSON",
      "malformed JSON",
      `${goodProduce}xyz`,
      400,
      /Malformed JSON body/,
    ),
    streamPut(
      "single-quoted JSON on a stream",
      "malformed JSON",
      "{'Data': {'a': 1}, 'PartitionKey': '1'}",
      400,
      /^Invalid request body: not JSON/,
    ),
    streamPut(
      "trailing comma in Records",
      "malformed JSON",
      '{"Records":[{"Data":{"a":1},"PartitionKey":"1"},]}',
      400,
      /^Invalid request body: not JSON/,
      {
        target: records,
      },
    ),
    topicPost(
      "body shorter than its Content-Length",
      "truncated",
      goodProduce.slice(0, 20),
      400,
      /Cannot read the request body to its end/,
      {
        framing: { contentLength: goodProduce.length, halfClose: true },
      },
    ),

    // Missing and wrong fields.
    topicPost(
      "JSON array instead of an object",
      "missing or wrong fields",
      `[${goodProduce}]`,
      422,
      /Body must be a JSON object/,
    ),
    topicPost(
      "no records array",
      "missing or wrong fields",
      '{"value":{"a":1}}',
      422,
      /no "records" array/,
    ),
    topicPost(
      "empty records",
      "missing or wrong fields",
      '{"records":[]}',
      422,
      /"records" is empty/,
    ),
    topicPost(
      "record without value",
      "missing or wrong fields",
      '{"records":[{"key":"k"}]}',
      422,
      /records\[0\] has no "value"/,
    ),
    topicPost(
      "null value (a tombstone)",
      "missing or wrong fields",
      '{"records":[{"value":null}]}',
      422,
      /records\[0\]\.value is null/,
    ),
    topicPost(
      "a bare number as the value",
      "missing or wrong fields",
      '{"records":[{"value":42}]}',
      422,
      /records\[0\]\.value is a number: send the row object/,
    ),
    topicPost(
      "negative partition",
      "missing or wrong fields",
      '{"records":[{"value":{"a":1},"partition":-1}]}',
      422,
      /partition must be a non-negative integer/,
    ),
    topicPost(
      "partition the topic lacks",
      "missing or wrong fields",
      '{"records":[{"value":{"a":1}},{"value":{"a":2},"partition":7}]}',
      404,
      /records\[1\]\.partition 7 not found/,
    ),
    topicPost(
      "unknown record field",
      "missing or wrong fields",
      '{"records":[{"value":{"a":1},"offset":3}]}',
      422,
      /unknown field\(s\) offset/,
    ),
    topicPost(
      "value nested 1,001 levels",
      "missing or wrong fields",
      `{"records":[{"value":${nested(1001)}}]}`,
      422,
      new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`),
    ),
    streamPut(
      "no Data",
      "missing or wrong fields",
      '{"PartitionKey":"1"}',
      400,
      /^Invalid request body: the body must have required property 'Data'/,
    ),
    streamPut(
      "no PartitionKey",
      "missing or wrong fields",
      '{"Data":{"a":1}}',
      400,
      /^Invalid request body: the body must have required property 'PartitionKey'/,
    ),
    streamPut(
      "PartitionKey of 257 characters",
      "missing or wrong fields",
      JSON.stringify({ Data: row, PartitionKey: "k".repeat(257) }),
      400,
      /^Invalid request body: PartitionKey must NOT have more than 256 characters/,
    ),
    streamPut(
      "StreamName not a string",
      "missing or wrong fields",
      JSON.stringify({ StreamName: 5, Data: row, PartitionKey: "1" }),
      400,
      /^Invalid request body: StreamName must be string/,
    ),
    streamPut(
      "Records not an array",
      "missing or wrong fields",
      '{"Records":{"Data":{"a":1}}}',
      400,
      /^Invalid request body: Records must be array/,
      { target: records },
    ),
    streamPut(
      `${MAX_PUT_RECORDS + 1} Records`,
      "missing or wrong fields",
      JSON.stringify({
        Records: Array.from(
          { length: MAX_PUT_RECORDS + 1 },
          (_, i) => ({ Data: { ind: i }, PartitionKey: String(i) }),
        ),
      }),
      400,
      new RegExp(`^Invalid request body: Records must NOT have more than ${MAX_PUT_RECORDS} items`),
      { target: records },
    ),
    streamPut(
      "Data nested 5,000 levels",
      "missing or wrong fields",
      `{"Data":${nested(5000)},"PartitionKey":"1"}`,
      400,
      /^Invalid request body: Data must be object \(model PutRecordBody\)/,
    ),
    {
      name: "CreateStream with ShardCount 0",
      category: "missing or wrong fields",
      route: "streams",
      method: "POST",
      target: `/streams/${n.streams.user}`,
      headers: json,
      body: text('{"ShardCount":0}'),
      status: 400,
      message: /^Invalid request body: ShardCount must be >= 1/,
    },

    // Huge bodies: refused before they are read whole.
    topicPost(
      "9 MiB body with its Content-Length",
      "huge body",
      huge,
      413,
      new RegExp(`of ${huge.length} bytes is over the ${MAX_BODY_BYTES}-byte limit`),
    ),
    topicPost(
      "10 GB declared, a few bytes sent",
      "huge body",
      '{"records":[',
      413,
      /Request body of 10000000000 bytes is over the 8388608-byte limit/,
      {
        framing: { contentLength: 10_000_000_000, halfClose: false },
      },
    ),
    streamPut(
      "9 MiB chunked body (no length)",
      "huge body",
      huge,
      413,
      new RegExp(`Request body is over the ${MAX_BODY_BYTES}-byte limit`),
      {
        target: records,
        framing: "chunked",
      },
    ),
    streamPut(
      "record over Kinesis's 1 MiB",
      "huge body",
      JSON.stringify({ Data: { title: "x".repeat(MAX_RECORD_BYTES) }, PartitionKey: "1" }),
      400,
      new RegExp(`less than or equal to ${MAX_RECORD_BYTES}`),
    ),
    streamPut(
      "PutRecords over Kinesis's 5 MiB in all",
      "huge body",
      JSON.stringify({
        Records: Array.from({ length: 6 }, (_, i) => ({
          Data: { title: "x".repeat(1000 * 1000) },
          PartitionKey: String(i),
        })),
      }),
      400,
      new RegExp(`exceed the limit of ${MAX_PUT_RECORDS_BYTES} bytes per PutRecords request`),
      { target: records },
    ),

    // Unknown topics and streams.
    topicPost(
      "another user's topic",
      "unknown topic or stream",
      goodProduce,
      404,
      /^Topic ffffffffffff\.pin not found: create it with `deno task setup-topics`/,
      {
        target: "/topics/ffffffffffff.pin",
      },
    ),
    topicPost(
      "own prefix, unknown kind",
      "unknown topic or stream",
      goodProduce,
      404,
      new RegExp(`^Topic ${escape(n.userId)}\\.comment not found`),
      {
        target: `/topics/${n.userId}.comment`,
      },
    ),
    streamPut(
      "PutRecord to another stream",
      "unknown topic or stream",
      goodPut,
      400,
      /not authorized to perform: kinesis:PutRecord on resource: .*stream\/streaming-ffffffffffff-pin/,
      {
        target: "/streams/streaming-ffffffffffff-pin/record",
      },
    ),
    {
      name: "describe a stream that does not exist",
      category: "unknown topic or stream",
      route: "streams",
      method: "GET",
      target: `/streams/streaming-${n.userId}-nothing`,
      headers: {},
      body: new Uint8Array(),
      status: 404,
      message: /streaming-.*-nothing .*not found/,
    },
    {
      name: "delete another user's stream",
      category: "unknown topic or stream",
      route: "streams",
      method: "DELETE",
      target: "/streams/streaming-ffffffffffff-geo",
      headers: {},
      body: new Uint8Array(),
      status: 400,
      message:
        /not authorized to perform: kinesis:DeleteStream on resource: .*stream\/streaming-ffffffffffff-geo/,
    },

    // Not UTF-8.
    topicPost(
      "Latin-1 bytes in a topic body",
      "non-UTF-8",
      latin1,
      400,
      /Request body is not valid UTF-8/,
      {
        headers: { "content-type": `${KAFKA_JSON_V2}; charset=iso-8859-1` },
      },
    ),
    streamPut(
      "invalid UTF-8 in a stream body",
      "non-UTF-8",
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      400,
      /Request body is not valid UTF-8/,
    ),
    topicPost(
      "%FF in the topic name",
      "non-UTF-8",
      goodProduce,
      403,
      /^Missing Authentication Token: malformed path segment "%FF\.pin"/,
      {
        target: "/topics/%FF.pin",
      },
    ),

    // Path tricks.
    topicPost(
      "dot segments out of /topics",
      "path trick",
      goodProduce,
      403,
      /^Missing Authentication Token: no route POST \/etc\/passwd in the API document/,
      {
        target: "/topics/../../etc/passwd",
      },
    ),
    topicPost(
      "encoded ../ in the topic name",
      "path trick",
      goodProduce,
      404,
      /Topic "\.\.\/\.\.\/etc\/passwd" not found: not a legal Kafka topic name/,
      {
        target: "/topics/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      },
    ),
    topicPost(
      "NUL after the topic name",
      "path trick",
      goodProduce,
      404,
      /not a legal Kafka topic name/,
      {
        target: `${pin}%00`,
      },
    ),
    topicPost(
      "sub-route under a topic",
      "path trick",
      goodProduce,
      403,
      /^Missing Authentication Token: no route POST .*\/partitions\/0 in the API document/,
      {
        target: `${pin}/partitions/0`,
      },
    ),
    streamPut(
      "encoded / inside a stream name",
      "path trick",
      goodPut,
      400,
      /not authorized to perform: kinesis:PutRecord on resource: .*stream\/.*\/\.\.\/x/,
      {
        target: `/streams/${n.streams.pin}%2F..%2Fx/record`,
      },
    ),
    streamPut(
      "unknown sub-route of a stream",
      "path trick",
      goodPut,
      403,
      /^Missing Authentication Token: no route PUT .*\/shards in the API document/,
      {
        target: `/streams/${n.streams.pin}/shards`,
      },
    ),

    // Methods.
    topicPost(
      "GET a topic",
      "method",
      "",
      403,
      /^Missing Authentication Token: no GET on \/topics\/\{topic\} in the API document/,
      {
        method: "GET",
        headers: {},
      },
    ),
    streamPut(
      "POST to PutRecord",
      "method",
      goodPut,
      403,
      /^Missing Authentication Token: no POST on \/streams\/\{stream-name\}\/record in/,
      {
        method: "POST",
      },
    ),
    streamPut(
      "PATCH the stream list",
      "method",
      "{}",
      403,
      /^Missing Authentication Token: no PATCH on \/streams in the API document/,
      {
        method: "PATCH",
        target: "/streams",
      },
    ),
  ];
}
