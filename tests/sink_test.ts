/**
 * The S3 sink on the real stack (Kafka, Kafka Connect with our plugin, MinIO): object keys
 * zero-padded as Confluent's sink pads them, and `flush.size` cutting objects of exactly that
 * many records, committing only what is uploaded. Logs objects/s and records/s of each mode.
 */
import assert from "node:assert/strict";
import { type Config, loadConfig } from "../scripts/lib/core/config.ts";
import { connectorName, connectUrl, setupConnector } from "../scripts/lib/lake/connector.ts";
import { deleteConnector } from "../scripts/lib/lake/connect_rest.ts";
import { kafkaClient } from "../scripts/lib/kafka/client.ts";
import { setupTopics } from "../scripts/lib/kafka/topics.ts";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ensureBucket, listObjects, readObjectText, s3Client } from "../scripts/lib/lake/s3.ts";
import { countLake } from "../scripts/lib/lake/count.ts";
import { readTopic } from "../scripts/lib/lake/lake.ts";
import { LakeWatcher } from "../scripts/lib/lake/watch.ts";
import {
  objectKey,
  OFFSET_PAD_WIDTH,
  parseObjectKey,
  topicPrefix,
} from "../scripts/lib/lake/object_key.ts";
import { countLines } from "../scripts/lib/lake/offsets.ts";
import { sleep, waitFor } from "../scripts/lib/core/time.ts";
import { down, up } from "../scripts/lib/stack/stack.ts";
import { OFFSET_FLUSH_INTERVAL_MS } from "../scripts/lib/stack/services/connect.ts";
import { startStack, testUserId } from "./harness.ts";

/** One lake object of the test topic: its parsed key and its records. */
interface Landed {
  key: string;
  start: number;
  records: { n: number }[];
}

/** A user id of its own (topics, bucket, connector), with `flushSize` through the environment. */
function caseConfig(prefix: string, flushSize?: number): Promise<Config> {
  const overrides: Record<string, string> = { PIPELINE_USER_ID: testUserId(prefix) };
  if (flushSize) overrides.PIPELINE_S3_FLUSH_SIZE = String(flushSize);
  return loadConfig({ overrides });
}

async function produce(cfg: Config, from: number, count: number): Promise<void> {
  const producer = kafkaClient(cfg, "sink-test").producer();
  await producer.connect();
  try {
    for (let i = from; i < from + count; i += 500) {
      const end = Math.min(from + count, i + 500);
      const messages = [];
      for (let n = i; n < end; n++) messages.push({ value: JSON.stringify({ n }) });
      await producer.send({ topic: cfg.names.topics.pin, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The test topic's objects, sorted by key; `read` keeps those read before (by key and size). */
async function lake(cfg: Config, read = new Map<string, Landed>()): Promise<Landed[]> {
  const s3 = s3Client(cfg);
  try {
    const out: Landed[] = [];
    const topic = cfg.names.topics.pin;
    for (const o of await listObjects(s3, cfg.names.bucket, topicPrefix(topic))) {
      const id = `${o.key}@${o.size}`;
      let object = read.get(id);
      if (!object) {
        const text = await readObjectText(s3, cfg.names.bucket, o.key);
        const records = text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
        assert.equal(countLines(text), records.length);
        object = { key: o.key, start: parseObjectKey(o.key)?.startOffset ?? NaN, records };
        read.set(id, object);
      }
      out.push(object);
    }
    return out;
  } finally {
    s3.destroy();
  }
}

/** Objects listed until they hold `records` records; the time from registration to then. */
async function landed(cfg: Config, records: number, timeoutMs = 60_000) {
  const began = performance.now();
  let last: Landed[] = [];
  const read = new Map<string, Landed>();
  const objects = await waitFor(async () => {
    last = await lake(cfg, read);
    return last.reduce((a, o) => a + o.records.length, 0) >= records && last;
  }, {
    timeoutMs,
    intervalMs: 200,
    timeoutError: () =>
      new Error(
        `The lake of ${cfg.names.topics.pin} holds ${
          last.reduce((a, o) => a + o.records.length, 0)
        } of ${records} records after ${timeoutMs / 1000} s: see .state/logs/connect.log`,
      ),
  });
  return { objects, seconds: (performance.now() - began) / 1000 };
}

/** Offset the sink's consumer group committed on partition 0 of the test topic. */
async function committed(cfg: Config): Promise<number> {
  const admin = kafkaClient(cfg, "sink-test-admin").admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({
      groupId: `connect-${connectorName(cfg)}`,
      topics: [cfg.names.topics.pin],
    });
    return Number(t.partitions.find((p) => p.partition === 0)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the sink's group has committed `offset` (a commit follows each offset flush). */
async function waitCommitted(cfg: Config, offset: number): Promise<void> {
  let last = -1;
  await waitFor(async () => (last = await committed(cfg)) === offset, {
    timeoutMs: 10 * OFFSET_FLUSH_INTERVAL_MS,
    timeoutError: () => new Error(`The sink committed offset ${last}, not ${offset}`),
  });
}

/** Together the objects hold the records 0..n-1 once, in order, each starting where the last ended. */
function assertChain(objects: Landed[], n: number): void {
  const byStart = [...objects].sort((a, b) => a.start - b.start);
  let next = 0;
  for (const o of byStart) {
    assert.equal(o.start, next, `${o.key} starts where the previous object ended`);
    next += o.records.length;
  }
  assert.deepEqual(byStart.flatMap((o) => o.records.map((r) => r.n)), [...Array(n).keys()]);
}

/** Every object named by the padded layout, and together the records 0..n-1 once, in order. */
function assertLayout(cfg: Config, objects: Landed[], n: number): void {
  const topic = cfg.names.topics.pin;
  for (const o of objects) {
    assert.equal(o.key, objectKey(topic, 0, o.start), `${o.key} has the padded layout`);
    assert.match(o.key, new RegExp(`\\+\\d{${OFFSET_PAD_WIDTH}}\\.json$`));
  }
  assertChain(objects, n);
}

function report(mode: string, objects: number, records: number, seconds: number): void {
  console.log(
    `  ${mode}: ${records} records in ${objects} objects, ${seconds.toFixed(2)} s after ` +
      `registration: ${(objects / seconds).toFixed(1)} objects/s, ` +
      `${(records / seconds).toFixed(0)} records/s`,
  );
}

Deno.test({
  name: "the S3 sink names objects with Confluent's zero-padded offsets and honours flush.size",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const stack = await startStack(["minio", "kafka", "connect"]);
    const registered: Config[] = [];
    const run = async (cfg: Config, records: number) => {
      await setupTopics(cfg);
      await produce(cfg, 0, records);
      registered.push(cfg);
      await setupConnector(cfg);
      return await landed(cfg, records);
    };
    try {
      await t.step("without flush.size: an object per flush, keys padded", async () => {
        const cfg = await caseConfig("sink-pad");
        const n = 2000;
        const { objects, seconds } = await run(cfg, n);
        assertLayout(cfg, objects, n);
        assert.ok(objects.length < n / 10, `${objects.length} objects for ${n} records`);
        report("default", objects.length, n, seconds);
      });

      await t.step("flush.size=1: one object per record", async () => {
        const cfg = await caseConfig("sink-one", 1);
        const n = 500;
        const { objects, seconds } = await run(cfg, n);
        assertLayout(cfg, objects, n);
        assert.equal(objects.length, n);
        assert.ok(objects.every((o) => o.records.length === 1));
        report("flush.size=1", objects.length, n, seconds);
      });

      await t.step(
        "flush.size=3: a partial object waits, uncommitted, for its last records",
        async () => {
          const cfg = await caseConfig("sink-three", 3);
          await setupTopics(cfg);
          await produce(cfg, 0, 10);
          registered.push(cfg);
          await setupConnector(cfg);
          const { objects } = await landed(cfg, 9);
          assert.deepEqual(objects.map((o) => [o.start, o.records.length]), [[0, 3], [3, 3], [
            6,
            3,
          ]]);
          // Several offset flushes later, record 9 is neither written nor committed.
          await waitCommitted(cfg, 9);
          await sleep(3 * OFFSET_FLUSH_INTERVAL_MS);
          assert.equal(await committed(cfg), 9);
          assert.equal((await lake(cfg)).length, 3);
          await produce(cfg, 10, 2);
          const after = await landed(cfg, 12);
          assertLayout(cfg, after.objects, 12);
          assert.deepEqual(after.objects.map((o) => o.records.length), [3, 3, 3, 3]);
          await waitCommitted(cfg, 12);
        },
      );

      await t.step("flush.size=2: MinIO stopped mid-run, every record lands once", async () => {
        const cfg = await caseConfig("sink-retry", 2);
        await setupTopics(cfg);
        await produce(cfg, 0, 10);
        registered.push(cfg);
        await setupConnector(cfg);
        await landed(cfg, 10);
        await waitCommitted(cfg, 10);
        await down(stack.ctx, { only: ["minio"] });
        try {
          await produce(cfg, 10, 10);
          // Several failed uploads and redelivered batches while MinIO is away.
          await sleep(3 * OFFSET_FLUSH_INTERVAL_MS);
          assert.equal(await committed(cfg), 10, "nothing committed while MinIO is down");
        } finally {
          await up(stack.ctx, ["minio"]);
        }
        const { objects } = await landed(cfg, 20);
        assertLayout(cfg, objects, 20);
        assert.ok(objects.every((o) => o.records.length === 2));
        assert.equal(objects.length, 10);
      });

      await t.step(
        "a lake of the old sink's unpadded keys and the new padded ones reads as one",
        async () => {
          const cfg = await caseConfig("sink-mixed");
          const topic = cfg.names.topics.pin;
          await setupTopics(cfg);
          await produce(cfg, 0, 20);
          // As if the sink before padding had landed and committed records 0-9 in two objects.
          const admin = kafkaClient(cfg, "sink-test-admin").admin();
          await admin.connect();
          await admin.setOffsets({
            groupId: `connect-${connectorName(cfg)}`,
            topic,
            partitions: [{ partition: 0, offset: "10" }],
          });
          await admin.disconnect();
          const s3 = s3Client(cfg);
          try {
            await ensureBucket(s3, cfg.names.bucket);
            for (const start of [0, 5]) {
              const lines = [0, 1, 2, 3, 4].map((i) => JSON.stringify({ n: start + i }) + "\n");
              await s3.send(
                new PutObjectCommand({
                  Bucket: cfg.names.bucket,
                  Key: objectKey(topic, 0, start, 0),
                  Body: lines.join(""),
                }),
              );
            }
            registered.push(cfg);
            await setupConnector(cfg);
            const { objects } = await landed(cfg, 20);
            for (const o of objects) {
              const pad = o.start < 10 ? 0 : OFFSET_PAD_WIDTH; // the old sink's, then ours
              assert.equal(o.key, objectKey(topic, 0, o.start, pad));
            }
            const starts = objects.map((o) => o.start);
            assert.deepEqual(starts.toSorted((a, b) => a - b).slice(0, 2), [0, 5], "old keys stay");
            assertChain(objects, 20);

            assert.equal((await countLake(cfg)).pin.records, 20);
            const watcher = new LakeWatcher(s3, cfg.names.bucket, [topic]);
            await watcher.poll();
            assert.equal(watcher.visibleEnd(topic).get(0), 20);
            const rows = await readTopic(s3, cfg.names.bucket, topic);
            assert.deepEqual(rows.map((r) => r.n).sort((a, b) => Number(a) - Number(b)), [
              ...Array(20).keys(),
            ]);
          } finally {
            s3.destroy();
          }
        },
      );
    } finally {
      for (const cfg of registered) await deleteConnector(connectUrl(cfg), connectorName(cfg));
      await stack.release();
    }
  },
});
