import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { API_DOCUMENT, findOperation, loadApiDocument } from "./document.ts";
import { routesOf } from "./routes.ts";
import { renderTemplate } from "./vtl.ts";
import { repoPath } from "../core/paths.ts";

const FIXTURES = repoPath("tests/fixtures/api");
const row = { index: 7, title: 'a "quoted" title', follower_count: "1k" };

/** What Kinesis would get for a body: the action the route's template renders from it. */
function rendered(
  doc: Awaited<ReturnType<typeof loadApiDocument>>,
  route: {
    method: string;
    path: string;
    url(s: string): string;
  },
  stream: string,
  body: string,
) {
  const op = findOperation(doc, route.method, route.path)!;
  const segments = new URL(route.url(stream)).pathname.split("/").filter(Boolean).slice(1);
  const params: Record<string, string> = {};
  op.path.split("/").filter(Boolean).forEach((part, i) => {
    const m = /^\{(.+)\}$/.exec(part);
    if (m) params[m[1]] = decodeURIComponent(segments[i]);
  });
  const out = renderTemplate(op.integration.requestTemplates!["application/json"], {
    body,
    params: { path: params },
  }).output;
  return JSON.parse(out) as {
    StreamName: string;
    Data?: string;
    PartitionKey?: string;
    Records?: { Data: string; PartitionKey: string }[];
  };
}

const text = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

Deno.test("the project's routes: the stage URL, the topic path, Data as the row's JSON", async () => {
  const doc = await loadApiDocument();
  const api = routesOf(doc, "http://127.0.0.1:8000/", API_DOCUMENT);
  assert.equal(api.invokeUrl, "http://127.0.0.1:8000/test");
  assert.equal(routesOf(doc, "https://x.example/test", "d").invokeUrl, "https://x.example/test");
  const localstack = "http://127.0.0.1:4566/restapis/abc123/test/_user_request_";
  assert.equal(routesOf(doc, localstack, "d").invokeUrl, localstack);
  assert.deepEqual(api.headers, {});
  assert.deepEqual(routesOf(doc, "http://h", "d", "k-1").headers, { "x-api-key": "k-1" });
  assert.deepEqual(api.topic("u.pin"), {
    method: "POST",
    url: "http://127.0.0.1:8000/test/topics/u.pin",
  });
  const put = api.putRecord!;
  assert.equal(put.url("s-1"), "http://127.0.0.1:8000/test/streams/s-1/record");
  const action = rendered(doc, put, "s-1", put.body("s-1", [{ data: row, partitionKey: "7" }]));
  assert.equal(action.StreamName, "s-1");
  assert.deepEqual(JSON.parse(text(action.Data!)), row);
  assert.equal(action.PartitionKey, "7");
});

Deno.test("a student's /{proxy+} export with the course's templates: lower-case PutRecords fields", async () => {
  const file = `${FIXTURES}/staging_proxy_export.yaml`;
  const doc = await loadApiDocument(file);
  const api = routesOf(doc, "http://127.0.0.1:8000", file);
  assert.equal(api.stage, "staging");
  assert.deepEqual(api.topic("u.geo"), {
    method: "POST",
    url: "http://127.0.0.1:8000/staging/topics/u.geo",
  });
  const batch = api.putRecords!;
  assert.equal(batch.method, "PUT");
  const body = batch.body("s-2", [{ data: row, partitionKey: "7" }, {
    data: row,
    partitionKey: "8",
  }]);
  // $elem.data prints the field as it is: the row goes as JSON text.
  assert.deepEqual(JSON.parse(body), {
    records: [
      { data: JSON.stringify(row), "partition-key": "7" },
      { data: JSON.stringify(row), "partition-key": "8" },
    ],
  });
  const action = rendered(doc, batch, "s-2", body);
  assert.equal(action.StreamName, "s-2");
  assert.deepEqual(action.Records!.map((r) => [JSON.parse(text(r.Data)), r.PartitionKey]), [
    [row, "7"],
    [row, "8"],
  ]);
});

Deno.test("another layout: the stream named in the body, other field names, POST", async () => {
  const file = `${FIXTURES}/dev_resources_export.yaml`;
  const doc = await loadApiDocument(file);
  const api = routesOf(doc, "http://127.0.0.1:8000", file);
  assert.equal(api.topic("u.user").url, "http://127.0.0.1:8000/dev/topics/u.user");
  const put = api.putRecord!;
  assert.equal(put.url("s-3"), "http://127.0.0.1:8000/dev/kinesis/s-3/put");
  const body = put.body("s-3", [{ data: row, partitionKey: "7" }]);
  assert.deepEqual(JSON.parse(body), { stream: "s-3", row, key: "7" });
  const one = rendered(doc, put, "s-3", body);
  assert.deepEqual([one.StreamName, JSON.parse(text(one.Data!)), one.PartitionKey], [
    "s-3",
    row,
    "7",
  ]);
  const batch = api.putRecords!;
  const many = rendered(doc, batch, "s-3", batch.body("s-3", [{ data: row, partitionKey: "9" }]));
  assert.deepEqual(many.Records!.map((r) => [JSON.parse(text(r.Data)), r.PartitionKey]), [[
    row,
    "9",
  ]]);
});

Deno.test("a document with no route to the REST proxy says what to add", async () => {
  const doc = await loadApiDocument();
  const withoutTopics = {
    ...doc,
    operations: doc.operations.filter((o) => o.integration.type === "aws"),
  };
  assert.throws(
    () => routesOf(withoutTopics, "http://127.0.0.1:8000", "mine.yaml"),
    /^Error: mine\.yaml has no route to the Kafka REST proxy's \/topics\/\{topic\}: add an HTTP proxy integration/,
  );
});
