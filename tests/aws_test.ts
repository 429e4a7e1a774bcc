/**
 * The AWS deployment beyond synth: cfn-lint over both templates, then a real `cdk bootstrap` and
 * `cdk deploy` of both stacks to LocalStack (host mode, 127.0.0.1:4566), and the aws profile's own
 * code run against it: the stream emulator through LocalStack's API Gateway (the document's VTL
 * templates) into its Kinesis, every record read back; topic posts through the same API's HTTP
 * proxy into the local REST proxy and Kafka. The test has its own user id, so its own stacks,
 * streams, topics and bucket.
 */
import assert from "node:assert/strict";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { type Config, loadConfig } from "../scripts/lib/core/config.ts";
import { type Kind, KINDS } from "../scripts/lib/core/names.ts";
import { stackContext } from "../scripts/lib/stack/context.ts";
import { emulate } from "../scripts/lib/emulator/emulator.ts";
import { streamSender } from "../scripts/lib/emulator/stream_sender.ts";
import { kinesisClient } from "../scripts/lib/kinesis/client.ts";
import { consumeRecords } from "../scripts/lib/kafka/read.ts";
import { readStream } from "../scripts/lib/kinesis/read.ts";
import { setupTopics } from "../scripts/lib/kafka/topics.ts";
import { seedSource } from "../scripts/lib/source/seed.ts";
import { DEFAULT_ROWS } from "../scripts/lib/source/synthetic.ts";
import { cfnLint } from "../scripts/lib/aws/cfn_lint.ts";
import { appInputs, synthesize } from "../scripts/lib/aws/synth.ts";
import { LOCALSTACK_URL, startLocalstack, stopLocalstack } from "../scripts/lib/aws/localstack.ts";
import { deployToLocalstack, localstackAwsEnv } from "../scripts/lib/aws/localstack_deploy.ts";
import { destroyStacks } from "../scripts/lib/aws/deploy.ts";
import { LOCALSTACK_NEEDS } from "../scripts/aws.ts";
import { sentRows } from "./fixtures/posts.ts";
import { runTask, startStack, testUserId } from "./harness.ts";

const SEED = 3;
const POSTS = 20;
type Row = Record<string, unknown>;

function canonical(rows: Row[]): string[] {
  return rows.map((r) => JSON.stringify(Object.entries(r).sort())).sort();
}

const decoder = new TextDecoder();

/** Every record of a stream from its start, as JSON (the API's templates put the row's JSON). */
async function streamRows(kinesis: KinesisClient, stream: string): Promise<Row[]> {
  return (await readStream(kinesis, stream)).map((d) => JSON.parse(decoder.decode(d)));
}

/** Every message of the user's topics from their start, by kind. */
async function topicRows(cfg: Config, want: number): Promise<Record<Kind, Row[]>> {
  const records = await consumeRecords(cfg, KINDS.map((k) => cfg.names.topics[k]), {
    perTopic: want,
    timeoutMs: 30_000,
  });
  return Object.fromEntries(
    KINDS.map((
      k,
    ) => [k, records.filter((r) => r.topic === cfg.names.topics[k]).map((r) => r.value as Row)]),
  ) as Record<Kind, Row[]>;
}

Deno.test("cfn-lint finds no error in either synthesized template", async () => {
  const cfg = await loadConfig({ profile: "aws" });
  const ctx = await stackContext(cfg);
  const syn = await synthesize(
    await appInputs(ctx),
    await Deno.makeTempDir({ prefix: "aws-lint-" }),
  );
  const findings = await cfnLint(ctx, Object.values(syn.templates), cfg.region);
  assert.deepEqual(findings.filter((f) => f.level === "Error"), []);
  // And it does find errors: a template with a property of the wrong type.
  const bad = `${syn.assembly}/bad.template.json`;
  await Deno.writeTextFile(
    bad,
    JSON.stringify({
      Resources: { S: { Type: "AWS::Kinesis::Stream", Properties: { ShardCount: "many" } } },
    }),
  );
  assert.ok((await cfnLint(ctx, [bad], cfg.region)).some((f) => f.level === "Error"));
});

Deno.test({
  name: "deployed to LocalStack, the aws profile's code streams and posts through its API",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const userId = testUserId("aws");
    const stack = await startStack(LOCALSTACK_NEEDS, { userId });
    const local = stack.cfg;
    const ls = await startLocalstack(stack.ctx);
    try {
      await seedSource(local, { rows: DEFAULT_ROWS, seed: SEED });
      await setupTopics(local);
      const awsCtx = await stackContext(
        await loadConfig({ profile: "aws", overrides: { PIPELINE_USER_ID: userId } }),
      );
      const t0 = performance.now();
      const deployed = await deployToLocalstack(awsCtx, local, { quiet: true });
      console.log(
        `LocalStack: bootstrap ${deployed.seconds.bootstrap.toFixed(1)} s, deploy ` +
          `${deployed.seconds.deploy.toFixed(1)} s`,
      );
      // The aws profile as a person uses it: the outputs file, the database password.
      const env = {
        PIPELINE_PROFILE: "aws",
        PIPELINE_AWS_OUTPUTS: deployed.profileFile,
        PIPELINE_USER_ID: userId,
        PIPELINE_MYSQL_PASSWORD: local.mysql.password!,
      };
      const cfg = await loadConfig({ env: { ...Deno.env.toObject(), ...env } });
      assert.equal(cfg.profile, "aws");
      assert.equal(cfg.apiUrl, deployed.apiUrl);
      assert.equal(cfg.kafka.auth, "none");

      await t.step("emulate:stream through LocalStack's API Gateway into its Kinesis", async () => {
        const summary = await emulate(cfg, {
          count: POSTS,
          seed: SEED,
          rate: 0,
          sender: streamSender(cfg),
        });
        assert.equal(summary.errors.length, 0, summary.errors.join("; "));
        const want = sentRows(SEED, summary.keys);
        const kinesis = kinesisClient(cfg);
        for (const k of KINDS) {
          assert.deepEqual(
            canonical(await streamRows(kinesis, cfg.names.streams[k])),
            canonical(want[k]),
            k,
          );
        }
        // The task itself, as a person runs it against the outputs file.
        const run = await runTask(
          "emulate:stream",
          ["--count", "5", "--rate", "0", "--batch", "5"],
          env,
        );
        assert.equal(run.code, 0, run.output);
        for (const k of KINDS) {
          assert.equal((await streamRows(kinesis, cfg.names.streams[k])).length, POSTS + 5, k);
        }
      });

      await t.step(
        "LocalStack, its gateway and its Kinesis, listen on 127.0.0.1 only",
        async () => {
          const text = async (cmd: string, args: string[]) =>
            new TextDecoder().decode(
              (await new Deno.Command(cmd, { args, stdout: "piped" }).output()).stdout,
            );
          // LocalStack and every process under it (kinesis-mock runs in a session of its own).
          const parents = (await text("ps", ["-e", "-o", "pid=,ppid="])).trim().split("\n")
            .map((l) => l.trim().split(/\s+/));
          const pids = new Set([String(ls.pid)]);
          for (let grew = true; grew;) {
            grew = false;
            for (const [pid, ppid] of parents) {
              if (pids.has(ppid) && !pids.has(pid)) grew = pids.add(pid).size > 0;
            }
          }
          const listening = (await text("ss", ["-ltnpH"])).split("\n");
          const sockets = listening.filter((l) =>
            [...l.matchAll(/pid=(\d+)/g)].some((m) => pids.has(m[1]))
          );
          assert.ok(
            sockets.length >= 3,
            `LocalStack's processes ${[...pids]}; listening:\n${listening.join("\n")}`,
          );
          for (const l of sockets) assert.match(l.split(/\s+/)[3], /^127\.0\.0\.1:\d+$/, l);
        },
      );
      await t.step(
        "topic posts through its HTTP proxy into the local REST proxy and Kafka",
        async () => {
          const summary = await emulate(cfg, { count: POSTS, seed: SEED, rate: 0 });
          assert.equal(summary.errors.length, 0, summary.errors.join("; "));
          const got = await topicRows(cfg, POSTS);
          const want = sentRows(SEED, summary.keys);
          for (const k of KINDS) assert.deepEqual(canonical(got[k]), canonical(want[k]), k);
        },
      );
      await t.step("aws:destroy's way removes both stacks", async () => {
        await destroyStacks(deployed.synthesized, awsCtx.versions, {
          kind: "localstack",
          env: localstackAwsEnv(cfg.region),
          quiet: true,
        });
        // Asked as the CLI asks: LocalStack checks no signature, the credential scope names the
        // region. (LocalStack's stack delete leaves the Kinesis streams, so they are not asked.)
        for (const stack of [deployed.synthesized.app.base, deployed.synthesized.app.services]) {
          const res = await fetch(LOCALSTACK_URL, {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${cfg.region}/` +
                "cloudformation/aws4_request, SignedHeaders=host, Signature=0",
            },
            body: `Action=DescribeStacks&Version=2010-05-15&StackName=${stack.stackName}`,
          });
          const text = await res.text();
          assert.ok(
            res.status === 400 && text.includes("does not exist") ||
              text.includes("<StackStatus>DELETE_COMPLETE</StackStatus>"),
            `${stack.stackName}: ${res.status} ${text.slice(0, 300)}`,
          );
        }
      });
      console.log(
        `LocalStack deploy and the aws profile's run: ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
    } finally {
      if (ls.started) await stopLocalstack(stack.ctx);
      await stack.release();
    }
  },
});
