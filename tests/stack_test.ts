/**
 * The local stack, end to end: every service is started by the project's stack code and
 * answers its real client; then the stack is taken down again.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
} from "@aws-sdk/client-kinesis";
import { kafkaClient } from "../scripts/lib/kafka/client.ts";
import { s3Client } from "../scripts/lib/lake/s3.ts";
import { kinesisClient } from "../scripts/lib/kinesis/client.ts";
import { KAFKA_JSON_V2 } from "../scripts/lib/kafka/rest.ts";
import { S3_SINK_CLASS } from "../scripts/lib/lake/connector.ts";
import { status } from "../scripts/lib/stack/stack.ts";
import { UP_SERVICES } from "../scripts/lib/stack/registry.ts";
import { sparkConnect } from "../scripts/lib/stack/services/spark_connect.ts";
import { loadConfig } from "../scripts/lib/core/config.ts";
import { stackContext } from "../scripts/lib/stack/context.ts";
import { runningSupervisor } from "../scripts/lib/stack/supervisor.ts";
import { startStack } from "./harness.ts";
import { sleep, waitFor } from "../scripts/lib/core/time.ts";

const run = crypto.randomUUID().slice(0, 8);

Deno.test({
  name: "the local stack comes up and every service answers its real client",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const [serverBefore] = await status(await stackContext(await loadConfig()), [
      sparkConnect.name,
    ]);
    const stack = await startStack();
    const { cfg } = stack;
    try {
      await t.step("every service stack:up starts is healthy, under the supervisor", async () => {
        // The opt-in Spark Connect server waits for a task that asks for it: up leaves it as it was.
        const [server] = await status(stack.ctx, [sparkConnect.name]);
        assert.equal(
          server.state,
          serverBefore.state,
          "a bare up left the Spark Connect server alone",
        );
        const started = UP_SERVICES.map((s) => s.name);
        const states = await status(stack.ctx, started);
        assert.deepEqual(states.filter((s) => s.state !== "healthy").map((s) => s.name), []);
        const supervisor = await runningSupervisor(stack.ctx);
        assert.ok(supervisor, "up started the supervisor");
        assert.deepEqual(supervisor.command.slice(-2), [
          `${cfg.root}/scripts/stack.ts`,
          "supervise",
        ]);
        // It has looked at every service once (a supervisor this up started needs a moment).
        await waitFor(
          async () => (await status(stack.ctx, started)).every((s) => s.restarts !== undefined),
          {
            timeoutMs: 10_000,
            timeoutError: () => new Error("the supervisor never watched every service"),
          },
        );
      });

      await t.step("MariaDB answers a mysql2 query as the pipeline user", async () => {
        const conn = await mysql.createConnection({
          host: cfg.mysql.host,
          port: cfg.mysql.port,
          user: cfg.mysql.user,
          password: cfg.mysql.password,
        });
        const [rows] = await conn.query("select version() as v, ? + 1 as two", [1]);
        await conn.end();
        const r = (rows as { v: string; two: number }[])[0];
        assert.match(r.v, /^10\.11\./);
        assert.equal(Number(r.two), 2);
      });

      const topic = `stack-test-${run}`;
      const kafka = kafkaClient(cfg, "stack-test");
      const admin = kafka.admin();
      await admin.connect();
      try {
        await t.step("kafkajs creates a topic, produces and consumes", async () => {
          assert.equal(
            await admin.createTopics({
              topics: [{ topic, numPartitions: 1 }],
              waitForLeaders: true,
            }),
            true,
          );
          const producer = kafka.producer();
          await producer.connect();
          await producer.send({
            topic,
            messages: [{ value: JSON.stringify({ via: "kafkajs", run }) }],
          });
          await producer.disconnect();
        });

        await t.step("an HTTP produce through the REST proxy lands in the topic", async () => {
          const res = await fetch(`${cfg.restProxyUrl}/topics/${topic}`, {
            method: "POST",
            headers: { "content-type": KAFKA_JSON_V2 },
            body: JSON.stringify({ records: [{ value: { via: "rest", run } }] }),
          });
          const body = await res.json();
          assert.equal(res.status, 200, JSON.stringify(body));
          assert.deepEqual(
            body.offsets.map((o: { partition: number; offset: number }) => [o.partition, o.offset]),
            [[0, 1]],
          );

          const consumer = kafka.consumer({ groupId: `stack-test-${run}` });
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          const seen: string[] = [];
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`Consumed only ${seen.length} of 2 records`)),
              30_000,
            );
            consumer.run({
              eachMessage: ({ message }) => {
                seen.push(JSON.parse(message.value!.toString()).via);
                if (seen.length === 2) {
                  clearTimeout(timer);
                  resolve();
                }
                return Promise.resolve();
              },
            });
          });
          await consumer.disconnect();
          assert.deepEqual(seen, ["kafkajs", "rest"]);
        });
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => {});
        await admin.disconnect();
      }

      await t.step("the Kafka Connect REST API lists our S3 sink plugin", async () => {
        const res = await fetch(`${cfg.connectUrl}/connector-plugins`);
        const plugins = await res.json() as { class: string; type: string }[];
        assert.ok(
          plugins.some((p) => p.class === S3_SINK_CLASS && p.type === "sink"),
          JSON.stringify(plugins),
        );
      });

      await t.step("@aws-sdk/client-s3 puts, lists and gets on MinIO", async () => {
        const s3 = s3Client(cfg);
        const Bucket = `stack-test-${run}`;
        await s3.send(new CreateBucketCommand({ Bucket }));
        try {
          await s3.send(new PutObjectCommand({ Bucket, Key: "a/b.json", Body: '{"x":1}\n' }));
          const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "a/" }));
          assert.deepEqual(list.Contents?.map((o) => o.Key), ["a/b.json"]);
          const got = await s3.send(new GetObjectCommand({ Bucket, Key: "a/b.json" }));
          assert.equal(await got.Body!.transformToString(), '{"x":1}\n');
        } finally {
          await s3.send(new DeleteObjectCommand({ Bucket, Key: "a/b.json" })).catch(() => {});
          await s3.send(new DeleteBucketCommand({ Bucket })).catch(() => {});
        }
      });

      await t.step("@aws-sdk/client-kinesis creates, puts and gets on kinesalite", async () => {
        const kinesis = kinesisClient(cfg);
        const StreamName = `stack-test-${run}`;
        await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
        try {
          for (let i = 0; i < 50; i++) {
            const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
            if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") break;
            await sleep(200);
          }
          const put = await kinesis.send(
            new PutRecordCommand({
              StreamName,
              PartitionKey: "k",
              Data: new TextEncoder().encode(JSON.stringify({ run })),
            }),
          );
          const it = await kinesis.send(
            new GetShardIteratorCommand({
              StreamName,
              ShardId: put.ShardId!,
              ShardIteratorType: "TRIM_HORIZON",
            }),
          );
          const got = await kinesis.send(
            new GetRecordsCommand({ ShardIterator: it.ShardIterator! }),
          );
          assert.deepEqual(got.Records?.map((r) => JSON.parse(new TextDecoder().decode(r.Data))), [{
            run,
          }]);
        } finally {
          await kinesis.send(new DeleteStreamCommand({ StreamName })).catch(() => {});
        }
      });
    } finally {
      await stack.release();
    }
  },
});
