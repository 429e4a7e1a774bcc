import assert from "node:assert/strict";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { parse } from "yaml";
import { startApi } from "./gateway.ts";
import { loadApiDocument } from "./document.ts";
import { resolveConfig } from "../core/config.ts";
import { REPO_ROOT } from "../core/paths.ts";

const file = `${REPO_ROOT}/pipeline.yaml`;
const cfg = resolveConfig(parse(await Deno.readTextFile(file)), file, "local", { HOME: "/h" });
const PIN = cfg.names.streams.pin;
const dec = new TextDecoder();

/** A stand-in Kinesis client that records each command and answers like Kinesis would. */
function kinesisStandIn(fail?: Error) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    send(cmd: { constructor: { name: string }; input: Record<string, unknown> }) {
      sent.push({ command: cmd.constructor.name, input: cmd.input });
      if (fail) return Promise.reject(fail);
      const meta = { $metadata: { httpStatusCode: 200 } };
      switch (cmd.constructor.name) {
        case "PutRecordCommand":
          return Promise.resolve({
            ...meta,
            SequenceNumber: "49",
            ShardId: "shardId-000000000000",
          });
        case "PutRecordsCommand":
          return Promise.resolve({
            ...meta,
            FailedRecordCount: 0,
            Records: (cmd.input.Records as unknown[]).map((_, i) => ({
              SequenceNumber: String(50 + i),
              ShardId: "shardId-000000000000",
            })),
          });
        case "DescribeStreamCommand":
          return Promise.resolve({
            ...meta,
            StreamDescription: {
              StreamName: cmd.input.StreamName,
              StreamStatus: "ACTIVE",
              StreamCreationTimestamp: new Date(1_700_000_000_500),
            },
          });
        default:
          return Promise.resolve({ ...meta, StreamNames: [PIN], HasMoreStreams: false });
      }
    },
    destroy() {},
  };
  return { sent, client: client as unknown as KinesisClient };
}

Deno.test("PutRecord takes the stream from the path and puts Data as JSON text", async () => {
  const k = kinesisStandIn();
  const api = startApi(cfg, { port: 0, kinesis: k.client });
  try {
    const res = await fetch(`${api.url}/streams/${PIN}/record`, {
      method: "PUT",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({
        StreamName: "ignored",
        Data: { index: 7, t: "é" },
        PartitionKey: "7",
      }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { SequenceNumber: "49", ShardId: "shardId-000000000000" });
    assert.equal(k.sent.length, 1);
    assert.equal(k.sent[0].command, "PutRecordCommand");
    assert.equal(k.sent[0].input.StreamName, PIN);
    assert.equal(k.sent[0].input.PartitionKey, "7");
    assert.equal(dec.decode(k.sent[0].input.Data as Uint8Array), '{"index":7,"t":"é"}');
  } finally {
    await api.close();
  }
});

Deno.test("PutRecords sends every record and passes Kinesis's answer through", async () => {
  const k = kinesisStandIn();
  const api = startApi(cfg, { port: 0, kinesis: k.client });
  try {
    const res = await fetch(`${api.url}/streams/${cfg.names.streams.geo}/records`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        StreamName: cfg.names.streams.geo,
        Records: [{ Data: { ind: 1 }, PartitionKey: "1" }, { Data: { ind: 2 }, PartitionKey: "2" }],
      }),
    });
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.FailedRecordCount, 0);
    assert.deepEqual(body.Records.map((r: { SequenceNumber: string }) => r.SequenceNumber), [
      "50",
      "51",
    ]);
    const records = k.sent[0].input.Records as { Data: Uint8Array; PartitionKey: string }[];
    assert.deepEqual(records.map((r) => dec.decode(r.Data)), ['{"ind":1}', '{"ind":2}']);
  } finally {
    await api.close();
  }
});

Deno.test("list and describe pass through, timestamps as Kinesis's epoch seconds", async () => {
  const k = kinesisStandIn();
  const api = startApi(cfg, { port: 0, kinesis: k.client });
  try {
    assert.deepEqual(await (await fetch(`${api.url}/streams`)).json(), {
      StreamNames: [PIN],
      HasMoreStreams: false,
    });
    const d = await (await fetch(`${api.url}/streams/${PIN}`)).json();
    assert.equal(d.StreamDescription.StreamCreationTimestamp, 1_700_000_000.5);
  } finally {
    await api.close();
  }
});

Deno.test("bad stream requests get API Gateway's 4xx and nothing reaches Kinesis", async () => {
  const k = kinesisStandIn();
  const api = startApi(cfg, { port: 0, kinesis: k.client });
  const record = `${api.url}/streams/${PIN}/record`;
  const good = JSON.stringify({ StreamName: PIN, Data: { index: 1 }, PartitionKey: "1" });
  const json = "application/json";
  const invalid = "Invalid request body";
  const media = "Unsupported Media Type";
  const noRoute = "Missing Authentication Token";
  try {
    const cases: [
      string,
      string,
      string,
      string | Uint8Array<ArrayBuffer>,
      string,
      number,
      string,
    ][] = [
      ["Kafka content type", "PUT", record, good, "application/vnd.kafka.json.v2+json", 415, media],
      ["text/plain", "PUT", record, good, "text/plain", 415, media],
      ["malformed JSON", "PUT", record, '{"Data":', json, 400, invalid],
      [
        "not UTF-8",
        "PUT",
        record,
        new Uint8Array([0x7b, 0xff, 0x7d]),
        json,
        400,
        "Request body is not valid UTF-8",
      ],
      ["no Data", "PUT", record, '{"PartitionKey":"1"}', json, 400, invalid],
      ["null Data", "PUT", record, '{"Data":null,"PartitionKey":"1"}', json, 400, invalid],
      [
        "nested Data",
        "PUT",
        record,
        '{"Data":{"a":{"b":1}},"PartitionKey":"1"}',
        json,
        400,
        invalid,
      ],
      ["no PartitionKey", "PUT", record, '{"Data":{}}', json, 400, invalid],
      ["empty PartitionKey", "PUT", record, '{"Data":{},"PartitionKey":""}', json, 400, invalid],
      [
        "long PartitionKey",
        "PUT",
        record,
        `{"Data":{},"PartitionKey":"${"k".repeat(257)}"}`,
        json,
        400,
        invalid,
      ],
      ["array body", "PUT", record, "[]", json, 400, invalid],
      ["body over 8 MiB", "PUT", record, "x".repeat(9 * 1024 * 1024), json, 413, "Request body"],
      ["illegal name", "PUT", `${api.url}/streams/a%2Fb/record`, good, json, 400, "AccessDenied"],
      ["POST to record", "POST", record, good, json, 403, noRoute],
      ["empty Records", "PUT", `${record}s`, '{"Records":[]}', json, 400, invalid],
      [
        "501 Records",
        "PUT",
        `${record}s`,
        JSON.stringify({
          Records: Array.from({ length: 501 }, (_, i) => ({ Data: { i }, PartitionKey: "k" })),
        }),
        json,
        400,
        invalid,
      ],
      [
        "Records entry without key",
        "PUT",
        `${record}s`,
        '{"Records":[{"Data":{}}]}',
        json,
        400,
        invalid,
      ],
      [
        "Records over 5 MiB in all",
        "PUT",
        `${record}s`,
        JSON.stringify({
          Records: Array.from(
            { length: 6 },
            () => ({ Data: { t: "x".repeat(1000 * 1000) }, PartitionKey: "k" }),
          ),
        }),
        json,
        400,
        "exceed the limit of 5242880 bytes",
      ],
      [
        "CreateStream with ShardCount 0",
        "POST",
        `${api.url}/streams/${PIN}`,
        '{"ShardCount":0}',
        json,
        400,
        invalid,
      ],
      ["unknown sub-route", "PUT", `${api.url}/streams/${PIN}/shards`, good, json, 403, noRoute],
    ];
    for (const [what, method, url, body, type, status, message] of cases) {
      const res = await fetch(url, {
        method,
        headers: { "content-type": type },
        body: method === "DELETE" ? undefined : body,
      });
      const answer = await res.json();
      assert.equal(res.status, status, `${what}: ${JSON.stringify(answer).slice(0, 200)}`);
      assert.ok(
        JSON.stringify(answer).includes(message),
        `${what}: ${JSON.stringify(answer)}`,
      );
    }
    assert.deepEqual(k.sent, []);
  } finally {
    await api.close();
  }
});

Deno.test("writes outside the pipeline's streams are the integration role's AccessDenied", async () => {
  const k = kinesisStandIn();
  const api = startApi(cfg, { port: 0, kinesis: k.client });
  try {
    for (
      const [method, path] of [["PUT", "/streams/streaming-other-pin/record"], [
        "DELETE",
        "/streams/other",
      ]]
    ) {
      const res = await fetch(`${api.url}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "PUT" ? '{"Data":{"a":1},"PartitionKey":"1"}' : undefined,
      });
      const body = await res.json();
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(body.type, "AccessDeniedException");
      assert.match(body.message, new RegExp(`assumed-role/${cfg.names.apiKinesisRole}/`));
    }
    assert.deepEqual(k.sent, []);
  } finally {
    await api.close();
  }
});

Deno.test("no Content-Type takes the application/json template, as API Gateway does", async () => {
  const k = kinesisStandIn();
  const api = startApi(cfg, { port: 0, kinesis: k.client });
  try {
    const res = await fetch(`${api.url}/test/streams/${PIN}/record`, {
      method: "PUT",
      body: new TextEncoder().encode('{"Data":{"a":1},"PartitionKey":"1","Extra":true}'),
    });
    assert.equal(res.status, 200, await res.clone().text());
    await res.body?.cancel();
    assert.equal(dec.decode(k.sent[0].input.Data as Uint8Array), '{"a":1}');
  } finally {
    await api.close();
  }
});

Deno.test("Kinesis failures go through the document's response templates", async () => {
  const throttled = Object.assign(new Error("Rate exceeded for shard"), {
    name: "ProvisionedThroughputExceededException",
    $metadata: { httpStatusCode: 400 },
  });
  const missing = Object.assign(new Error("Stream not found"), {
    name: "ResourceNotFoundException",
    $metadata: { httpStatusCode: 400 },
  });
  const broken = Object.assign(new Error("We encountered an internal error"), {
    name: "InternalFailure",
    $metadata: { httpStatusCode: 500 },
  });
  const down = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4568"), { name: "Error" });
  for (
    const [error, status, message] of [
      [throttled, 429, /Rate exceeded/],
      [missing, 404, /Stream not found/],
      [broken, 502, /internal error/],
      [down, 502, /Internal server error/],
    ] as const
  ) {
    const api = startApi(cfg, { port: 0, kinesis: kinesisStandIn(error).client });
    try {
      const res = await fetch(`${api.url}/streams/${PIN}/record`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: '{"Data":{"index":1},"PartitionKey":"1"}',
      });
      const body = await res.json();
      assert.equal(res.status, status, JSON.stringify(body));
      assert.match(body.message, message);
    } finally {
      await api.close();
    }
  }
});

Deno.test("the stream routes answer on the stage URL too, as API Gateway's invoke URL has it", async () => {
  const k = kinesisStandIn();
  const api = startApi(cfg, { port: 0, kinesis: k.client });
  try {
    const put = await fetch(`${api.url}/test/streams/${PIN}/records`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Records: [{ Data: { a: 1, b: "two" }, PartitionKey: "k" }] }),
    });
    assert.equal(put.status, 200, await put.clone().text());
    await put.body?.cancel();
    const created = await fetch(`${api.url}/test/streams/${PIN}`, { method: "POST" });
    assert.equal(created.status, 200);
    await created.body?.cancel();
    assert.deepEqual(k.sent.map((s) => s.command), ["PutRecordsCommand", "CreateStreamCommand"]);
    const records = k.sent[0].input.Records as { Data: Uint8Array; PartitionKey: string }[];
    assert.deepEqual(records.map((r) => [dec.decode(r.Data), r.PartitionKey]), [
      ['{"a":1,"b":"two"}', "k"],
    ]);
    // The stage's ShardCount, from the config, when the body has none.
    assert.deepEqual(k.sent[1].input, { ShardCount: cfg.kinesis.shards, StreamName: PIN });
    const other = await fetch(`${api.url}/staging/streams/${PIN}/records`, { method: "PUT" });
    assert.equal(other.status, 403);
    assert.match((await other.json()).hint, /^no route PUT \/staging\/streams/);
    assert.equal(k.sent.length, 2);
  } finally {
    await api.close();
  }
});

Deno.test("a route the document does not define is refused before anything reaches Kinesis", async () => {
  const k = kinesisStandIn();
  const document = await loadApiDocument();
  const withoutPutRecords = {
    ...document,
    operations: document.operations.filter((o) => o.operationId !== "putRecords"),
  };
  const api = startApi(cfg, { port: 0, kinesis: k.client, document: withoutPutRecords });
  try {
    const res = await fetch(`${api.url}/streams/${PIN}/records`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Records: [{ Data: { a: 1 }, PartitionKey: "k" }] }),
    });
    assert.equal(res.status, 403);
    assert.match((await res.json()).hint, /no route PUT .* in the API document/);
    assert.deepEqual(k.sent, []);
  } finally {
    await api.close();
  }
});
