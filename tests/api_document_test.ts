/**
 * The API document end to end (issue #15), on the real stack: the project's document and two
 * students' exports of differently shaped APIs (tests/fixtures/api: another stage, `/{proxy+}`,
 * other resources, templates that read other body fields), each executed by the local gateway
 * and driven by the emulators, which take the routes, the stage and the body shape from the same
 * document. Every post the emulator saw acknowledged is in Kafka and Kinesis once, none other.
 * Then every route of the project's document through the stage URL and the bare URL, and the
 * Content-Type variants API Gateway accepts or refuses.
 */
import assert from "node:assert/strict";
import { type Config, loadConfig } from "../scripts/lib/core/config.ts";
import { startApi } from "../scripts/lib/api/gateway.ts";
import { emulate, topicSender } from "../scripts/lib/emulator/emulator.ts";
import { streamSender } from "../scripts/lib/emulator/stream_sender.ts";
import { consumeRecords } from "../scripts/lib/kafka/read.ts";
import { setupTopics } from "../scripts/lib/kafka/topics.ts";
import { KAFKA_JSON_V2, KAFKA_V2 } from "../scripts/lib/kafka/rest.ts";
import { kinesisClient } from "../scripts/lib/kinesis/client.ts";
import { readStream } from "../scripts/lib/kinesis/read.ts";
import { setupStreams } from "../scripts/lib/kinesis/streams.ts";
import { KINDS } from "../scripts/lib/core/names.ts";
import { repoPath } from "../scripts/lib/core/paths.ts";
import { seedSource } from "../scripts/lib/source/seed.ts";
import { DEFAULT_ROWS } from "../scripts/lib/source/synthetic.ts";
import { startStack, testUserId } from "./harness.ts";

const DOCUMENTS = [
  { name: "the project's api/openapi.yaml", file: repoPath("api/openapi.yaml"), stage: "test" },
  {
    name: "a /{proxy+} export, stage staging",
    file: repoPath("tests/fixtures/api/staging_proxy_export.yaml"),
    stage: "staging",
  },
  {
    name: "a /kinesis/{name} export, stage dev",
    file: repoPath("tests/fixtures/api/dev_resources_export.yaml"),
    stage: "dev",
  },
];

/** The post keys of records: `index` for pins, `ind` for geo and user rows. */
function keysOf(values: unknown[]): number[] {
  return values.map((v) => {
    const row = v as { index?: number; ind?: number };
    return (row.index ?? row.ind)!;
  }).sort((a, b) => a - b);
}

const sorted = (keys: number[]) => [...keys].sort((a, b) => a - b);
const decoder = new TextDecoder();

async function driveDocument(base: Config, doc: typeof DOCUMENTS[number]) {
  const cfg = await loadConfig({
    overrides: { PIPELINE_USER_ID: testUserId("apidoc"), PIPELINE_API_DEFINITION: doc.file },
  });
  assert.equal(cfg.apiDefinition, doc.file);
  assert.equal(cfg.mysql.database, base.mysql.database);
  await setupTopics(cfg);
  const kinesis = kinesisClient(cfg);
  await setupStreams(cfg, { kinesis });
  const api = startApi(cfg, { port: 0 });
  try {
    assert.equal(api.stage, doc.stage);
    const topics = await emulate(cfg, {
      count: 12,
      rate: 0,
      seed: 21,
      sender: topicSender(cfg, api.url),
    });
    assert.equal(topics.failed, 0, topics.errors.join("; "));
    const one = await emulate(cfg, {
      count: 8,
      rate: 0,
      seed: 22,
      sender: streamSender(cfg, { apiUrl: api.url }),
    });
    const many = await emulate(cfg, {
      count: 10,
      rate: 0,
      batch: 5,
      seed: 23,
      sender: streamSender(cfg, { apiUrl: api.url, putRecords: true }),
    });
    assert.equal(one.failed + many.failed, 0, [...one.errors, ...many.errors].join("; "));

    const consumed = await consumeRecords(cfg, KINDS.map((k) => cfg.names.topics[k]), {
      perTopic: topics.keys.length,
    });
    for (const k of KINDS) {
      const values = consumed.filter((r) => r.topic === cfg.names.topics[k]).map((r) => r.value);
      assert.deepEqual(keysOf(values), sorted(topics.keys), `${doc.name}: topic ${k}`);
    }
    for (const k of KINDS) {
      const values = (await readStream(kinesis, cfg.names.streams[k])).map((d) =>
        JSON.parse(decoder.decode(d))
      );
      assert.deepEqual(
        keysOf(values),
        sorted([...one.keys, ...many.keys]),
        `${doc.name}: stream ${k}`,
      );
    }
    return { topics: topics.keys.length, records: one.keys.length + many.keys.length };
  } finally {
    await api.close();
    kinesis.destroy();
  }
}

Deno.test({
  name: "API documents end to end: the project's and two students' exports into Kafka and Kinesis",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const stack = await startStack(["mariadb", "kafka", "rest_proxy", "kinesis"]);
    try {
      await seedSource(stack.cfg, { rows: DEFAULT_ROWS, seed: 1 });
      for (const doc of DOCUMENTS) {
        await t.step(`${doc.name}: every post once in Kafka and in Kinesis`, async () => {
          const n = await driveDocument(stack.cfg, doc);
          console.log(
            `  ${doc.name}: ${n.topics} posts to each topic, ${n.records} to each stream`,
          );
        });
      }

      await t.step("every route of the document on the stage URL and the bare URL", async () => {
        const cfg = await loadConfig({ overrides: { PIPELINE_USER_ID: testUserId("apiroute") } });
        await setupTopics(cfg);
        await setupStreams(cfg);
        const api = startApi(cfg, { port: 0 });
        const stream = cfg.names.streams.pin;
        const call = async (method: string, path: string, type?: string, body?: string) => {
          const res = await fetch(`${api.url}${path}`, {
            method,
            headers: type ? { "content-type": type } : {},
            body,
          });
          return {
            status: res.status,
            type: res.headers.get("content-type"),
            json: await res.json(),
          };
        };
        try {
          for (const prefix of ["/test", ""]) {
            const list = await call("GET", `${prefix}/streams`);
            assert.equal(list.status, 200);
            // ListStreams answers the first page only (kinesalite's default Limit is 10).
            assert.ok(Array.isArray(list.json.StreamNames), prefix);
            const described = await call("GET", `${prefix}/streams/${stream}`);
            assert.equal(described.json.StreamDescription.StreamName, stream);
            const exists = await call(
              "POST",
              `${prefix}/streams/${stream}`,
              "application/json",
              "{}",
            );
            assert.equal(exists.status, 409, JSON.stringify(exists.json));
            assert.equal(exists.json.type, "ResourceInUseException");
            const record = await call(
              "PUT",
              `${prefix}/streams/${stream}/record`,
              "application/json",
              JSON.stringify({ Data: { index: 1 }, PartitionKey: "1" }),
            );
            assert.match(record.json.SequenceNumber, /^\d+$/);
            const records = await call(
              "PUT",
              `${prefix}/streams/${stream}/records`,
              "application/json",
              JSON.stringify({ Records: [{ Data: { index: 2 }, PartitionKey: "2" }] }),
            );
            assert.equal(records.json.FailedRecordCount, 0);
            const produced = await call(
              "POST",
              `${prefix}/topics/${cfg.names.topics.pin}`,
              KAFKA_JSON_V2,
              JSON.stringify({ records: [{ value: { index: 3 } }] }),
            );
            assert.equal(produced.status, 200, JSON.stringify(produced.json));
            assert.equal(produced.type, KAFKA_V2);
          }
          const deleted = await call("DELETE", `/test/streams/${cfg.names.streams.user}`);
          assert.equal(deleted.status, 200, JSON.stringify(deleted.json));
          // Kinesis deletes in the background: CreateStream answers 409 until it is gone.
          for (let i = 0;; i++) {
            const created = await call("POST", `/streams/${cfg.names.streams.user}`);
            if (created.status === 200) break;
            assert.equal(created.status, 409, JSON.stringify(created.json));
            assert.ok(i < 50, "the deleted stream was never gone");
            await new Promise((r) => setTimeout(r, 200));
          }
        } finally {
          await api.close();
        }
      });

      await t.step(
        "Content-Type: absent and charset variants take the JSON template; text/plain is 415",
        async () => {
          const cfg = await loadConfig({ overrides: { PIPELINE_USER_ID: testUserId("apitype") } });
          await setupStreams(cfg);
          const api = startApi(cfg, { port: 0 });
          const url = `${api.url}/test/streams/${cfg.names.streams.geo}/record`;
          const body = JSON.stringify({ Data: { ind: 4 }, PartitionKey: "4" });
          try {
            for (
              const [type, status] of [
                [undefined, 200],
                ["application/json; charset=utf-8", 200],
                ["Application/JSON;charset=UTF-8", 200],
                ["text/plain", 415],
                ["text/plain; charset=utf-8", 415],
              ] as const
            ) {
              const res = await fetch(url, {
                method: "PUT",
                headers: type ? { "content-type": type } : {},
                // A Uint8Array, so fetch adds no Content-Type of its own.
                body: new TextEncoder().encode(body),
              });
              const json = await res.json();
              assert.equal(res.status, status, `${type}: ${JSON.stringify(json)}`);
              if (status === 415) assert.equal(json.message, "Unsupported Media Type");
            }
            const kinesis = kinesisClient(cfg);
            const stored = await readStream(kinesis, cfg.names.streams.geo);
            kinesis.destroy();
            assert.equal(stored.length, 3);
          } finally {
            await api.close();
          }
        },
      );
    } finally {
      await stack.release();
    }
  },
});
