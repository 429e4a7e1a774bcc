import assert from "node:assert/strict";
import {
  jsonDepth,
  KAFKA_JSON_V2,
  MAX_BODY_BYTES,
  MAX_JSON_DEPTH,
  parseJsonObject,
  parseProduceBody,
  readBody,
  RestError,
} from "./rest.ts";

/** The RestError a call throws, or a failed assertion. */
async function restError(fn: () => unknown): Promise<RestError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof RestError, `expected a RestError, got ${e}`);
    return e;
  }
  assert.fail("expected a RestError, nothing was thrown");
}

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

Deno.test("jsonDepth counts nesting without recursion and stops past the limit", () => {
  assert.equal(jsonDepth(1), 0);
  assert.equal(jsonDepth({}), 1);
  assert.equal(jsonDepth({ records: [{ value: { a: [1] } }] }), 5);
  // A million levels would overflow a recursive walk; this one answers at limit + 1.
  assert.equal(jsonDepth(JSON.parse(nested(1_000_000)), 40), 41);
});

Deno.test("a body nested deeper than the limit is a 422, flat rows pass", async () => {
  const row = { index: 1, title: "t", tags: ["a", "b"] };
  assert.equal(parseProduceBody(JSON.stringify({ records: [{ value: row }] })).length, 1);
  // records -> [ -> { -> value: the envelope takes 3 levels, so the value may take the rest.
  const fits = `{"records":[{"value":{"a":${nested(MAX_JSON_DEPTH - 4)}}}]}`;
  assert.equal(parseProduceBody(fits).length, 1);
  for (const depth of [MAX_JSON_DEPTH - 2, 1001, 200_000]) {
    const e = await restError(() => parseProduceBody(`{"records":[{"value":${nested(depth)}}]}`));
    assert.equal(e.status, 422);
    assert.match(e.message, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`));
  }
  const data = await restError(() =>
    parseJsonObject(`{"Data":${nested(5000)},"PartitionKey":"1"}`, "{...}")
  );
  assert.equal(data.status, 422);
});

Deno.test("a record value must be a row object", async () => {
  for (const [value, what] of [["1", "a number"], ['"x"', "a string"], ["[1]", "an array"]]) {
    const e = await restError(() => parseProduceBody(`{"records":[{"value":${value}}]}`));
    assert.equal(e.status, 422);
    assert.match(e.message, new RegExp(`records\\[0\\]\\.value is ${what}: send the row object`));
  }
});

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://x/topics/t", {
    method: "POST",
    headers: { "content-type": KAFKA_JSON_V2, ...headers },
    body,
  });
}

Deno.test("readBody refuses compressed bodies, over-limit streams and unreadable bodies", async () => {
  assert.equal(await readBody(post('{"a":1}', { "content-encoding": "identity" })), '{"a":1}');

  const gzip = await restError(() => readBody(post("x", { "content-encoding": "gzip" })));
  assert.equal(gzip.status, 415);
  assert.match(gzip.message, /Unsupported Content-Encoding "gzip": send the body uncompressed/);

  // Chunked (no length): refused once the bytes read pass the limit, the rest never pulled.
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled += 1 << 20;
      c.enqueue(new Uint8Array(1 << 20));
    },
  });
  const big = await restError(() => readBody(post(endless)));
  assert.equal(big.status, 413);
  assert.ok(pulled <= MAX_BODY_BYTES + 2 * (1 << 20), `pulled ${pulled} bytes`);

  const broken = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('{"records":'));
      c.error(new Error("connection reset"));
    },
  });
  const cut = await restError(() => readBody(post(broken)));
  assert.equal(cut.status, 400);
  assert.match(cut.message, /Cannot read the request body to its end \(connection reset\)/);

  const latin1 = await restError(() => readBody(post(new Uint8Array([0x7b, 0xe9, 0x7d]))));
  assert.equal(latin1.status, 400);
  assert.match(latin1.message, /not valid UTF-8/);
});

/** Sends raw bytes to a server, half-closes, and returns the status line and body. */
async function rawExchange(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    await conn.closeWrite();
    let out = "";
    const dec = new TextDecoder();
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      out += dec.decode(buf.subarray(0, n), { stream: true });
    }
    return out;
  } finally {
    conn.close();
  }
}

// A broken chunked encoding maps to the same 400 when the read fails, but the server may drop the
// connection before answering it, so only the short body is checked here.
Deno.test("a body shorter than its Content-Length is a 400 on a real server", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    try {
      return Response.json({ got: await readBody(req) });
    } catch (e) {
      if (e instanceof RestError) return e.response();
      return Response.json({ message: String(e) }, { status: 500 });
    }
  });
  try {
    const head = `POST /topics/t HTTP/1.1\r\nHost: x\r\nContent-Type: ${KAFKA_JSON_V2}\r\n`;
    const short = await rawExchange(
      server.addr.port,
      `${head}Content-Length: 100\r\n\r\n{"records":`,
    );
    assert.match(short, /^HTTP\/1\.1 400 /);
    assert.match(short, /Cannot read the request body to its end/);
  } finally {
    await server.shutdown();
  }
});
