/**
 * Batch ingestion on the real local stack: topics, the S3 sink connector, the API gateway and
 * the emulator; then the records are read back from Kafka and from the lake in MinIO.
 */
import assert from "node:assert/strict";
import type { Admin } from "kafkajs";
import { startApi } from "../scripts/lib/api/gateway.ts";
import type { Config } from "../scripts/lib/core/config.ts";
import { connectorName, setupConnector } from "../scripts/lib/lake/connector.ts";
import { emulate } from "../scripts/lib/emulator/emulator.ts";
import { kafkaClient } from "../scripts/lib/kafka/client.ts";
import { KAFKA_JSON_V2 } from "../scripts/lib/kafka/rest.ts";
import { type Kind, KINDS } from "../scripts/lib/core/names.ts";
import { listObjects, readObjectText, s3Client } from "../scripts/lib/lake/s3.ts";
import { seedSource } from "../scripts/lib/source/seed.ts";
import { sleep } from "../scripts/lib/core/time.ts";
import { DEFAULT_ROWS } from "../scripts/lib/source/synthetic.ts";
import { setupTopics } from "../scripts/lib/kafka/topics.ts";
import { sentRows } from "./fixtures/posts.ts";
import { startStack, testUserId } from "./harness.ts";
import { objectKey, parseObjectKey, topicPrefix } from "../scripts/lib/lake/object_key.ts";

const SEED = 1;
const POSTS = 500;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

type Row = Record<string, unknown>;
/** partition -> first offset of interest */
type Offsets = Map<number, number>;

/** Sorts rows so that two multisets compare with deepEqual. */
function canonical(rows: Row[]): Row[] {
  return rows.map((r) => [JSON.stringify(Object.entries(r).sort()), r] as const)
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([, r]) => r);
}

async function endOffsets(admin: Admin, topic: string): Promise<Offsets> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

async function allEndOffsets(admin: Admin, cfg: Config): Promise<Record<Kind, Offsets>> {
  const entries = await Promise.all(
    KINDS.map(async (k) => [k, await endOffsets(admin, cfg.names.topics[k])] as const),
  );
  return Object.fromEntries(entries) as Record<Kind, Offsets>;
}

/** Reads every record at or after `from` in each topic, until `want` per topic or timeout. */
async function consume(
  cfg: Config,
  from: Record<Kind, Offsets>,
  want: number,
): Promise<Record<Kind, Row[]>> {
  const kafka = kafkaClient(cfg, "ingest-test");
  const consumer = kafka.consumer({ groupId: `ingest-test-${crypto.randomUUID()}` });
  const got = { pin: [], geo: [], user: [] } as Record<Kind, Row[]>;
  const kindOf = new Map(KINDS.map((k) => [cfg.names.topics[k], k]));
  const done = Promise.withResolvers<void>();
  const full = () => KINDS.every((k) => got[k].length >= want);
  await consumer.connect();
  try {
    await consumer.subscribe({
      topics: KINDS.map((k) => cfg.names.topics[k]),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const kind = kindOf.get(topic)!;
        if (Number(message.offset) >= (from[kind].get(partition) ?? 0)) {
          got[kind].push(JSON.parse(message.value!.toString()));
        }
        if (full()) done.resolve();
        await Promise.resolve();
      },
    });
    const timer = setTimeout(() => done.resolve(), 30_000);
    await done.promise;
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/**
 * Reads the lake until each topic has `want` records at or after `from` (offset of a line =
 * object's start offset + line number), or 30 s pass. Offsets de-duplicate re-uploads.
 */
async function readLake(
  cfg: Config,
  from: Record<Kind, Offsets>,
  want: number,
): Promise<Record<Kind, Row[]>> {
  const s3 = s3Client(cfg);
  const seen = new Map<string, string>();
  const byOffset = Object.fromEntries(KINDS.map((k) => [k, new Map<string, Row>()])) as Record<
    Kind,
    Map<string, Row>
  >;
  const deadline = Date.now() + 30_000;
  try {
    while (Date.now() < deadline) {
      for (const kind of KINDS) {
        const topic = cfg.names.topics[kind];
        for (const o of await listObjects(s3, cfg.names.bucket, topicPrefix(topic))) {
          if (seen.get(o.key) === String(o.size)) continue;
          seen.set(o.key, String(o.size));
          const key = parseObjectKey(o.key);
          assert.ok(
            key?.topic === topic && o.key === objectKey(topic, key.partition, key.startOffset),
            `object key ${o.key} has the Confluent layout`,
          );
          const [partition, start] = [key.partition, key.startOffset];
          const lines = (await readObjectText(s3, cfg.names.bucket, o.key)).split("\n")
            .filter((l) => l.trim());
          lines.forEach((line, i) => {
            const offset = start + i;
            if (offset >= (from[kind].get(partition) ?? 0)) {
              byOffset[kind].set(`${partition}:${offset}`, JSON.parse(line));
            }
          });
        }
      }
      if (KINDS.every((k) => byOffset[k].size >= want)) break;
      await sleep(1000);
    }
  } finally {
    s3.destroy();
  }
  return Object.fromEntries(KINDS.map((k) => [k, [...byOffset[k].values()]])) as Record<
    Kind,
    Row[]
  >;
}

Deno.test({
  name: "batch ingestion: API -> REST proxy -> Kafka -> S3 sink -> lake",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    // Its own user id: its topics, bucket and connector never mix with the pipeline's.
    const stack = await startStack(["mariadb", "minio", "kafka", "rest_proxy", "connect"], {
      userId: testUserId("ingest"),
    });
    const { cfg } = stack;
    const admin = kafkaClient(cfg, "ingest-test-admin").admin();
    let api: ReturnType<typeof startApi> | undefined;
    try {
      await t.step("seed the source database", async () => {
        const r = await seedSource(cfg, { rows: DEFAULT_ROWS, seed: SEED });
        assert.equal(r.counts.pinterest_data, DEFAULT_ROWS);
      });

      await t.step("setup-topics creates the three topics, and again reports them", async () => {
        await setupTopics(cfg);
        const again = await setupTopics(cfg);
        assert.deepEqual(again.map((s) => s.topic), KINDS.map((k) => cfg.names.topics[k]));
        assert.ok(again.every((s) => s.status === "exists"));
        assert.ok(again.every((s) => s.partitions === cfg.kafka.partitions));
      });

      await t.step("setup-connector runs the S3 sink, and again leaves it unchanged", async () => {
        await setupConnector(cfg);
        const again = await setupConnector(cfg);
        assert.equal(again.name, connectorName(cfg));
        assert.equal(again.bucket, "exists");
        assert.equal(again.connector, "unchanged");
        assert.equal(again.status.connector.state, "RUNNING");
        assert.ok(again.status.tasks.length > 0);
        assert.ok(again.status.tasks.every((task) => task.state === "RUNNING"));
      });

      api = startApi(cfg, { port: 0 });
      const apiUrl = api.url;
      await admin.connect();

      await t.step(
        "the API answers bad input with a 4xx JSON error and produces nothing",
        async () => {
          const before = await allEndOffsets(admin, cfg);
          const pin = `${apiUrl}/topics/${cfg.names.topics.pin}`;
          const good = JSON.stringify({ records: [{ value: { index: 1 } }] });
          const cases: [string, string, RequestInit, number][] = [
            ["wrong content type", pin, {
              headers: { "content-type": "application/json" },
              body: good,
            }, 415],
            ["no content type", pin, { body: new Blob([good]) }, 415],
            ["malformed JSON", pin, {
              headers: { "content-type": KAFKA_JSON_V2 },
              body: '{"records":[',
            }, 400],
            ["body without records", pin, {
              headers: { "content-type": KAFKA_JSON_V2 },
              body: '{"value":{}}',
            }, 422],
            ["empty records", pin, {
              headers: { "content-type": KAFKA_JSON_V2 },
              body: '{"records":[]}',
            }, 422],
            ["record without value", pin, {
              headers: { "content-type": KAFKA_JSON_V2 },
              body: '{"records":[{"key":"k"}]}',
            }, 422],
            ["unknown topic", `${apiUrl}/topics/${cfg.userId}.other`, {
              headers: { "content-type": KAFKA_JSON_V2 },
              body: good,
            }, 404],
            ["another user's topic", `${apiUrl}/topics/ffffffffffff.pin`, {
              headers: { "content-type": KAFKA_JSON_V2 },
              body: good,
            }, 404],
            ["illegal topic name", `${apiUrl}/topics/..%2F..%2Fx`, {
              headers: { "content-type": KAFKA_JSON_V2 },
              body: good,
            }, 404],
          ];
          for (const [what, url, init, status] of cases) {
            const res = await fetch(url, { method: "POST", ...init });
            const body = await res.json();
            assert.equal(res.status, status, `${what}: ${JSON.stringify(body)}`);
            assert.match(
              res.headers.get("content-type") ?? "",
              /^application\/(vnd\.kafka\.v2\+)?json/,
              what,
            );
            assert.equal(typeof body.error_code, "number", what);
            assert.equal(typeof body.message, "string", what);
          }
          assert.deepEqual(await allEndOffsets(admin, cfg), before, "nothing reached Kafka");
          assert.ok(!(await admin.listTopics()).includes(`${cfg.userId}.other`));

          // The same route does produce when the input is good, so the check above means something.
          const res = await fetch(pin, {
            method: "POST",
            headers: { "content-type": KAFKA_JSON_V2 },
            body: good,
          });
          const body = await res.json();
          assert.equal(res.status, 200, JSON.stringify(body));
          assert.equal(body.offsets.length, 1);
          assert.equal(body.offsets[0].offset, before.pin.get(body.offsets[0].partition));
          const after = await endOffsets(admin, cfg.names.topics.pin);
          const total = (o: Offsets) => [...o.values()].reduce((a, b) => a + b, 0);
          assert.equal(total(after), total(before.pin) + 1);
        },
      );

      const from = await allEndOffsets(admin, cfg);
      let expected: Record<Kind, Row[]> = { pin: [], geo: [], user: [] };

      await t.step(`the emulator sends ${POSTS} posts, every one acknowledged`, async () => {
        const started = performance.now();
        const s = await emulate(cfg, {
          apiUrl,
          count: POSTS,
          rate: 0,
          batch: 50,
          concurrency: 4,
          seed: 7,
        });
        console.log(
          `  ${s.acknowledged} posts in ${((performance.now() - started) / 1000).toFixed(2)} s ` +
            `(${
              s.postsPerSecond.toFixed(0)
            } posts/s, ${s.requests} requests, ${s.retries} retries)`,
        );
        assert.equal(s.sent, POSTS);
        assert.equal(s.acknowledged, POSTS);
        assert.equal(s.failed, 0);
        assert.equal(s.keys.length, POSTS);
        // Sampling is with replacement; this seed repeats posts, so multisets are exercised.
        assert.ok(new Set(s.keys).size < POSTS);
        expected = sentRows(SEED, s.keys);
      });

      await t.step("Kafka holds exactly those pin, geo and user records", async () => {
        const got = await consume(cfg, from, POSTS);
        for (const k of KINDS) {
          assert.equal(got[k].length, POSTS, `${k} records in Kafka`);
          assert.deepEqual(canonical(got[k]), canonical(expected[k]), `${k} records`);
        }
        assert.ok(got.geo.every((r) => ISO.test(r.timestamp as string)));
        assert.ok(got.user.every((r) => ISO.test(r.date_joined as string)));
      });

      await t.step("the S3 sink lands the same records as JSON under topics/<topic>/", async () => {
        const lake = await readLake(cfg, from, POSTS);
        for (const k of KINDS) {
          assert.equal(lake[k].length, POSTS, `${k} records in the lake`);
          assert.deepEqual(canonical(lake[k]), canonical(expected[k]), `${k} records in the lake`);
        }
        assert.ok(lake.geo.every((r) => ISO.test(r.timestamp as string)));
        assert.ok(lake.user.every((r) => ISO.test(r.date_joined as string)));
      });
    } finally {
      await api?.close();
      await admin.disconnect();
      await stack.release();
    }
  },
});
