import assert from "node:assert/strict";
import { ProduceError, produceRecords } from "./client.ts";
import { KAFKA_JSON_V2 } from "../kafka/rest.ts";
import { loadApiDocumentSync } from "./document.ts";
import { routesOf } from "./routes.ts";

const doc = loadApiDocumentSync();
const at = (url: string) => routesOf(doc, url, "api/openapi.yaml");

/** A stand-in API answering each request with the next scripted status. */
function api(statuses: number[]) {
  const bodies: string[] = [];
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    paths.push(new URL(req.url).pathname);
    assert.equal(req.headers.get("content-type"), KAFKA_JSON_V2);
    bodies.push(await req.text());
    const status = statuses.shift() ?? 200;
    if (status !== 200) {
      return Response.json({ error_code: status * 100, message: "nope" }, { status });
    }
    const n = JSON.parse(bodies.at(-1)!).records.length;
    return Response.json({
      offsets: Array.from({ length: n }, (_, i) => ({ partition: 0, offset: i, error_code: null })),
    });
  });
  return { bodies, url: `http://127.0.0.1:${server.addr.port}`, paths, server };
}

Deno.test("records go as one Kafka REST v2 body; 5xx and 429 are retried until acknowledged", async () => {
  const a = api([503, 429, 500]);
  try {
    let retries = 0;
    const r = await produceRecords(at(a.url), "t.pin", [{ x: 1 }, { x: 2 }], {
      baseDelayMs: 1,
      onRetry: () => retries++,
    });
    assert.equal(r.attempts, 4);
    assert.equal(retries, 3);
    assert.deepEqual(r.offsets, [{ partition: 0, offset: 0 }, { partition: 0, offset: 1 }]);
    // The document's route, on the stage URL.
    assert.deepEqual(a.paths, Array(4).fill("/test/topics/t.pin"));
    assert.deepEqual(JSON.parse(a.bodies[0]), {
      records: [{ value: { x: 1 } }, { value: { x: 2 } }],
    });
  } finally {
    await a.server.shutdown();
  }
});

Deno.test("a 4xx is not retried and keeps the API's message", async () => {
  const a = api([404]);
  try {
    await assert.rejects(
      produceRecords(at(a.url), "t.pin", [{}], { baseDelayMs: 1 }),
      (e) => e instanceof ProduceError && e.status === 404 && /: 404 nope$/.test(e.message),
    );
    assert.equal(a.bodies.length, 1);
  } finally {
    await a.server.shutdown();
  }
});

Deno.test("an unreachable API fails after the retries with what to start", async () => {
  const a = api([]);
  await a.server.shutdown();
  let retries = 0;
  await assert.rejects(
    produceRecords(at(a.url), "t.pin", [{}], {
      retries: 2,
      baseDelayMs: 1,
      onRetry: () => retries++,
    }),
    /^ProduceError: Cannot reach the API at http:\/\/127\.0\.0\.1:\d+\/test: connection refused; start it with `deno task api`$/,
  );
  assert.equal(retries, 2);
});
