/**
 * Reliability (issue #7): the bad-input corpus of `bad_requests.ts` against the API gateway on
 * the real stack. Every request must get a 4xx with a JSON message saying what is wrong, none may
 * produce a record (Kafka end offsets and Kinesis records of the test's topics and streams are
 * the same before and after), and the same API process must keep serving good requests.
 */
import assert from "node:assert/strict";
import { type KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import type { Admin } from "kafkajs";
import type { Config } from "../../scripts/lib/core/config.ts";
import { kafkaClient } from "../../scripts/lib/kafka/client.ts";
import { KAFKA_JSON_V2 } from "../../scripts/lib/kafka/rest.ts";
import { kinesisClient } from "../../scripts/lib/kinesis/client.ts";
import { readStream } from "../../scripts/lib/kinesis/read.ts";
import { KINDS } from "../../scripts/lib/core/names.ts";
import { setupStreams } from "../../scripts/lib/kinesis/streams.ts";
import { setupTopics } from "../../scripts/lib/kafka/topics.ts";
import { startStack, testUserId } from "../harness.ts";
import { type BadRequest, badRequests } from "./bad_requests.ts";
import { type ApiChild, startApiChild } from "../../scripts/lib/api/child.ts";
import { reportFault } from "../../scripts/lib/faults/report.ts";

/** A request gets this long to be answered; longer counts as a hang. */
const ANSWER_MS = 20_000;

/** What the API answered. */
interface Answer {
  status: number;
  headers: Map<string, string>;
  body: string;
  ms: number;
}

const enc = new TextEncoder();

/**
 * Sends one request as raw HTTP/1.1 bytes (so its target, headers and framing are exactly the
 * case's) and reads the answer; the upload runs beside the read, since the API may answer (413)
 * before the body is sent.
 */
async function sendRaw(port: number, r: BadRequest): Promise<Answer> {
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const framing = r.framing ?? "length";
  const head = [`${r.method} ${r.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
  for (const [k, v] of Object.entries(r.headers)) head.push(`${k}: ${v}`);
  if (framing === "chunked") head.push("Transfer-Encoding: chunked");
  else if (framing === "length") head.push(`Content-Length: ${r.body.length}`);
  else head.push(`Content-Length: ${framing.contentLength}`);

  const write = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  };
  const upload = async () => {
    await write(enc.encode(head.join("\r\n") + "\r\n\r\n"));
    if (framing === "chunked") {
      for (let at = 0; at < r.body.length; at += 64 * 1024) {
        const part = r.body.subarray(at, at + 64 * 1024);
        await write(enc.encode(`${part.length.toString(16)}\r\n`));
        await write(part);
        await write(enc.encode("\r\n"));
      }
      await write(enc.encode("0\r\n\r\n"));
    } else {
      await write(r.body);
    }
    if (typeof framing === "object" && framing.halfClose) await conn.closeWrite();
  };
  // The API may close the connection before the whole upload went out: that is its right.
  const uploading = upload().catch(() => {});

  const read = async (): Promise<Answer> => {
    let bytes = new Uint8Array(0);
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n !== null) {
        const next = new Uint8Array(bytes.length + n);
        next.set(bytes);
        next.set(buf.subarray(0, n), bytes.length);
        bytes = next;
      }
      const answer = parseAnswer(bytes, n === null);
      if (answer) return { ...answer, ms: performance.now() - started };
      if (n === null) {
        throw new Error(`connection closed after ${bytes.length} bytes without a full answer`);
      }
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${ANSWER_MS / 1000} s`)),
          ANSWER_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
    await uploading;
  }
}

/**
 * Parses a complete HTTP/1.1 answer: Content-Length or chunked framing (the API passes the REST
 * proxy's chunked answers through), or up to the end of the connection.
 */
function parseAnswer(bytes: Uint8Array, ended: boolean): Omit<Answer, "ms"> | undefined {
  const text = new TextDecoder().decode(bytes);
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
  const headers = new Map(lines.map((l) => {
    const i = l.indexOf(":");
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
  }));
  const status = Number(statusLine.split(" ")[1]);
  let rest = text.slice(split + 4);
  if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) {
    let body = "";
    for (;;) {
      const eol = rest.indexOf("\r\n");
      if (eol < 0) return undefined;
      const size = parseInt(rest.slice(0, eol), 16);
      if (size === 0) return { status, headers, body };
      const chunk = enc.encode(rest.slice(eol + 2));
      if (chunk.length < size + 2) return undefined;
      body += new TextDecoder().decode(chunk.subarray(0, size));
      rest = new TextDecoder().decode(chunk.subarray(size + 2));
    }
  }
  const length = headers.get("content-length");
  if (length !== undefined ? enc.encode(rest).length < Number(length) : !ended) return undefined;
  return { status, headers, body: rest };
}

/** What the test's topics and streams hold, and which of the user's topics and streams exist. */
async function snapshot(cfg: Config, admin: Admin, kinesis: KinesisClient) {
  const offsets: Record<string, number> = {};
  for (const k of KINDS) {
    for (const p of await admin.fetchTopicOffsets(cfg.names.topics[k])) {
      offsets[`${cfg.names.topics[k]}/${p.partition}`] = Number(p.high);
    }
  }
  const streamRecordsNow: Record<string, number> = {};
  for (const k of KINDS) {
    streamRecordsNow[cfg.names.streams[k]] =
      (await readStream(kinesis, cfg.names.streams[k])).length;
  }
  const topics = (await admin.listTopics()).filter((t) => t.includes(cfg.userId)).sort();
  const streams = ((await kinesis.send(new ListStreamsCommand({ Limit: 1000 }))).StreamNames ?? [])
    .filter((s) => s.includes(cfg.userId)).sort();
  return { offsets, streamRecords: streamRecordsNow, topics, streams };
}

const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

Deno.test({
  name: "bad-input corpus: every bad request gets a 4xx JSON error, nothing is produced",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const stack = await startStack(["kafka", "rest_proxy", "kinesis"], {
      userId: testUserId("badinput"),
    });
    const { cfg } = stack;
    const admin = kafkaClient(cfg, "bad-input-admin").admin();
    const kinesis = kinesisClient(cfg);
    let api: ApiChild | undefined;
    try {
      await setupTopics(cfg);
      await setupStreams(cfg, { kinesis });
      await admin.connect();
      api = await startApiChild(cfg);
      const port = Number(new URL(api.url).port);
      const corpus = badRequests({
        userId: cfg.userId,
        topics: cfg.names.topics,
        streams: cfg.names.streams,
      });
      const before = await snapshot(cfg, admin, kinesis);

      await t.step(
        `${corpus.length} bad requests, each answered 4xx with a clear message`,
        async () => {
          assert.ok(corpus.length >= 30, `the corpus has ${corpus.length} cases`);
          assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length, "unique names");
          for (const route of ["topics", "streams"]) {
            assert.ok(corpus.filter((c) => c.route === route).length >= 10, `${route} cases`);
          }
          const wrong: string[] = [];
          const rows: string[] = [];
          for (const c of corpus) {
            let a: Answer;
            try {
              a = await sendRaw(port, c);
            } catch (e) {
              wrong.push(`${c.name}: ${(e as Error).message}`);
              continue;
            }
            // What the answer says: its message, and API Gateway's answers' local hint after it.
            let message: unknown;
            try {
              const j = JSON.parse(a.body) as { message?: unknown; hint?: unknown };
              message = typeof j.message === "string" && typeof j.hint === "string"
                ? `${j.message}: ${j.hint}`
                : j.message;
            } catch {
              message = undefined;
            }
            rows.push(
              `  ${String(a.status).padEnd(4)}${a.ms.toFixed(0).padStart(6)} ms  ${c.category}: ` +
                `${c.name} -> ${String(message).slice(0, 90)}`,
            );
            const problems = [];
            if (a.status < 400 || a.status > 499) problems.push(`status ${a.status} is not a 4xx`);
            else if (a.status !== c.status) {
              problems.push(`status ${a.status}, expected ${c.status}`);
            }
            // API Gateway's answers are JSON; the REST proxy's Confluent's JSON type.
            const type = a.headers.get("content-type") ?? "";
            if (!/^application\/(vnd\.kafka\.v2\+)?json/.test(type)) {
              problems.push(`content type ${a.headers.get("content-type")}`);
            }
            if (typeof message !== "string") {
              problems.push(`no JSON message in ${a.body.slice(0, 200)}`);
            } else if (!c.message.test(message)) {
              problems.push(`message ${JSON.stringify(message)}`);
            }
            if (problems.length) wrong.push(`${c.name}: ${problems.join("; ")}`);
          }
          console.log(rows.join("\n"));
          assert.deepEqual(wrong, [], "every bad request gets its 4xx and message");
        },
      );

      await t.step(
        "nothing was produced: offsets, stream records, topics, streams unchanged",
        async () => {
          const after = await snapshot(cfg, admin, kinesis);
          assert.deepEqual(after, before);
        },
      );

      await t.step("the same API process keeps serving good requests on both routes", async () => {
        assert.ok(await api!.alive(), `API pid ${api!.pid} is gone:\n${api!.output()}`);
        const produced = await fetch(`${api!.url}/topics/${cfg.names.topics.pin}`, {
          method: "POST",
          headers: { "content-type": KAFKA_JSON_V2 },
          body: JSON.stringify({ records: [{ value: { index: 1, unique_id: "good" } }] }),
        });
        assert.equal(produced.status, 200, await produced.clone().text());
        assert.equal((await produced.json()).offsets.length, 1);
        const put = await fetch(`${api!.url}/streams/${cfg.names.streams.pin}/record`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ Data: { index: 1 }, PartitionKey: "1" }),
        });
        assert.equal(put.status, 200, await put.clone().text());
        assert.match((await put.json()).SequenceNumber, /^\d+$/);
        const after = await snapshot(cfg, admin, kinesis);
        // Exactly one more record each: the counts above would have seen any record produced.
        assert.equal(total(after.offsets), total(before.offsets) + 1);
        assert.equal(total(after.streamRecords), total(before.streamRecords) + 1);
        assert.ok(await api!.alive(), "the API is still the process the test started");
        assert.doesNotMatch(api!.output(), /API error on/, "no request hit the 500 path");
      });

      const rss = await api.rssMiB();
      const found = 0;
      await reportFault(cfg, {
        case: "bad-input corpus",
        injected: `${corpus.length} bad requests (${
          [...new Set(corpus.map((c) => c.category))].join(", ")
        }) on the topic and stream routes`,
        sent: corpus.length,
        found,
        lost: 0,
        doubled: 0,
        measured: {
          topic_cases: corpus.filter((c) => c.route === "topics").length,
          stream_cases: corpus.filter((c) => c.route === "streams").length,
          api_rss_mib_after: Math.round(rss ?? 0),
        },
      });
    } finally {
      await api?.stop();
      kinesis.destroy();
      await admin.disconnect();
      await stack.release();
    }
  },
});
