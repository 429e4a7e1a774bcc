import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { startApi } from "./gateway.ts";
import { loadApiDocumentSync, parseApiDocument } from "./document.ts";
import { resolveConfig } from "../core/config.ts";
import { REPO_ROOT } from "../core/paths.ts";
import { KAFKA_JSON_V2 } from "../kafka/rest.ts";

const file = `${REPO_ROOT}/pipeline.yaml`;
const cfg = resolveConfig(parse(await Deno.readTextFile(file)), file, "local", { HOME: "/h" });

/** A stand-in upstream that records what reaches it and answers like the REST proxy. */
function upstream() {
  const seen: { path: string; type: string | null; body: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({
      path: new URL(req.url).pathname,
      type: req.headers.get("content-type"),
      body: await req.text(),
    });
    return Response.json({ key_schema_id: null, value_schema_id: null, offsets: [] }, {
      status: 200,
      headers: { "x-upstream": "1" },
    });
  });
  return { seen, url: `http://127.0.0.1:${server.addr.port}`, server };
}

Deno.test("the gateway forwards a valid produce body verbatim and answers with the upstream's response", async () => {
  const up = upstream();
  const api = startApi(cfg, { port: 0, restProxyUrl: up.url });
  try {
    const body = '{"records":[{"value":{"index":1}},{"value":{"index":2}}]}';
    const res = await fetch(`${api.url}/topics/${cfg.names.topics.geo}`, {
      method: "POST",
      headers: { "content-type": `${KAFKA_JSON_V2}; charset=utf-8` },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-upstream"), "1");
    assert.deepEqual((await res.json()).offsets, []);
    // An HTTP proxy integration passes the request as it came, headers and bytes.
    assert.deepEqual(up.seen, [{
      path: `/topics/${cfg.names.topics.geo}`,
      type: `${KAFKA_JSON_V2}; charset=utf-8`,
      body,
    }]);
  } finally {
    await api.close();
    await up.server.shutdown();
  }
});

Deno.test("routes and methods the document lacks are API Gateway's 403; nothing reaches the upstream", async () => {
  const up = upstream();
  const api = startApi(cfg, { port: 0, restProxyUrl: up.url });
  try {
    const ok = '{"records":[{"value":{"index":1}}]}';
    const pin = `${api.url}/topics/${cfg.names.topics.pin}`;
    const cases: [string, string, RegExp][] = [
      ["GET", pin, /no GET on \/topics\/\{topic\} in the API document; it has POST there/],
      ["POST", `${pin}/partitions/0`, /no route POST .*\/partitions\/0 in the API document/],
      ["POST", `${api.url}/streams/x/record`, /no POST on \/streams\/\{stream-name\}\/record/],
      [
        "POST",
        `${api.url}/`,
        /no route POST \/ in the API document \(stage test\): it has POST \/topics/,
      ],
      ["POST", `${api.url}/topics/%FF.pin`, /malformed path segment "%FF\.pin"/],
    ];
    for (const [method, url, hint] of cases) {
      const res = await fetch(url, {
        method,
        headers: { "content-type": KAFKA_JSON_V2 },
        body: method === "GET" ? undefined : ok,
      });
      const json = await res.json();
      assert.equal(res.status, 403, `${method} ${url}: ${JSON.stringify(json)}`);
      assert.equal(json.message, "Missing Authentication Token");
      assert.equal(res.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
      assert.match(json.hint, hint);
    }
    assert.deepEqual(up.seen, []);
  } finally {
    await api.close();
    await up.server.shutdown();
  }
});

Deno.test("the gateway answers 502 with a clear message when the REST proxy is down", async () => {
  const up = upstream();
  await up.server.shutdown();
  const api = startApi(cfg, { port: 0, restProxyUrl: up.url });
  try {
    const res = await fetch(`${api.url}/topics/${cfg.names.topics.user}`, {
      method: "POST",
      headers: { "content-type": KAFKA_JSON_V2 },
      body: '{"records":[{"value":{"index":1}}]}',
    });
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.equal(body.message, "Internal server error");
    assert.match(
      body.hint,
      /^cannot reach the Kafka REST proxy at http:\/\/127\.0\.0\.1:\d+: connection refused; start it with `deno task stack:up`$/,
    );
  } finally {
    await api.close();
  }
});

Deno.test("a taken port and a profile without a proxy give errors that say what to do", async () => {
  const api = startApi(cfg, { port: 0, restProxyUrl: "http://127.0.0.1:1" });
  try {
    assert.throws(
      () => startApi(cfg, { port: api.server.addr.port, restProxyUrl: "http://127.0.0.1:1" }),
      /Cannot start the API on 127\.0\.0\.1:\d+: the port is taken; .*PIPELINE_PORT_API/,
    );
  } finally {
    await api.close();
  }
  assert.throws(
    () => startApi({ ...cfg, profile: "aws", restProxyUrl: undefined }),
    /No Kafka REST proxy in profile aws: .*PIPELINE_REST_PROXY_URL/,
  );
});

Deno.test("the topic route answers on the stage URL too and forwards to the proxy's bare path", async () => {
  const up = upstream();
  const api = startApi(cfg, { port: 0, restProxyUrl: up.url });
  try {
    const body = '{"records":[{"value":{"index":1}}]}';
    for (const prefix of ["/test", ""]) {
      const res = await fetch(`${api.url}${prefix}/topics/${cfg.names.topics.pin}`, {
        method: "POST",
        headers: { "content-type": KAFKA_JSON_V2 },
        body,
      });
      assert.equal(res.status, 200, prefix);
      await res.body?.cancel();
    }
    assert.deepEqual(up.seen.map((s) => s.path), [
      `/topics/${cfg.names.topics.pin}`,
      `/topics/${cfg.names.topics.pin}`,
    ]);
    const other = await fetch(`${api.url}/staging/topics/${cfg.names.topics.pin}`, {
      method: "POST",
      headers: { "content-type": KAFKA_JSON_V2 },
      body,
    });
    assert.equal(other.status, 403);
    await other.body?.cancel();
    assert.equal(up.seen.length, 2);
  } finally {
    await api.close();
    await up.server.shutdown();
  }
});

Deno.test("a document's API key scheme is enforced as API Gateway does: 403 Forbidden without the key", async () => {
  const up = upstream();
  const base = loadApiDocumentSync();
  const raw = structuredClone(base.raw) as Record<string, unknown> & {
    components: Record<string, unknown>;
  };
  raw.components.securitySchemes = { api_key: { type: "apiKey", name: "x-api-key", in: "header" } };
  raw.security = [{ api_key: [] }];
  const document = parseApiDocument(stringify(raw), "keyed.yaml");
  const api = startApi(cfg, { port: 0, restProxyUrl: up.url, document, apiKeys: ["k-123"] });
  try {
    const post = (headers: Record<string, string>) =>
      fetch(`${api.url}/test/topics/${cfg.names.topics.pin}`, {
        method: "POST",
        headers: { "content-type": KAFKA_JSON_V2, ...headers },
        body: '{"records":[{"value":{"index":1}}]}',
      });
    for (const headers of [{}, { "x-api-key": "wrong" }] as Record<string, string>[]) {
      const res = await post(headers);
      const body = await res.json();
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.equal(body.message, "Forbidden");
      assert.match(body.hint, /needs an API key \(api_key\) in the x-api-key header/);
    }
    assert.equal(up.seen.length, 0);
    const ok = await post({ "x-api-key": "k-123" });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(up.seen.length, 1);
  } finally {
    await api.close();
    await up.server.shutdown();
  }
});
