/**
 * kinesalite (npm `kinesalite`), a Kinesis look-alike on LevelDB: stands in for Kinesis. Its
 * streams persist in the state directory (LevelDB writes each request through to its log, so a
 * restart, even after a SIGKILL, keeps them). It is served through kinesalite's documented
 * module API rather than its `cli.js`, whose `listen` takes no host: this way it binds the
 * stack's host only.
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";
import { installOnce, isStamped, step } from "../install.ts";

const pkg = (ctx: StackContext) =>
  `${ctx.versions.get("kinesalite", "npm")}@${ctx.versions.get("kinesalite", "version")}`;
const dir = (ctx: StackContext) =>
  ctx.cache(`kinesalite-${ctx.versions.get("kinesalite", "version")}`);

/**
 * AWS's default shard quota per account in us-east-1. kinesalite's own default is 10 shards in
 * all, which the streams of a few user ids (pipeline, tests, bench: three each) would exhaust.
 */
const SHARD_LIMIT = 500;

/**
 * What `node -e` runs: kinesalite's `cli.js` with a host to bind. Arguments: package directory,
 * options (JSON), host, port.
 */
const SERVE = [
  "const [root, options, host, port] = process.argv.slice(1);",
  "const server = require(root)(JSON.parse(options));",
  "server.listen(Number(port), host, () => console.log(`kinesalite at ${host}:${port}`));",
].join("\n");

/** The kinesalite service. */
export const kinesis: Service = {
  name: "kinesis",
  title: "kinesalite (Kinesis)",
  requires: ["node"],
  diskMiB: 60,
  ports: ["kinesis"],
  dependsOn: [],
  startTimeout: 60,
  version: (ctx) => ctx.versions.get("kinesalite", "version"),
  address: (ctx) => `http://${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.kinesis}`,
  installed: (ctx) => isStamped(dir(ctx), pkg(ctx)),
  async install(ctx) {
    const logFile = ctx.log("install-kinesis.log");
    await installOnce(dir(ctx), pkg(ctx), async () => {
      await step({ component: "kinesis", logFile }, `npm install ${pkg(ctx)}`, [
        "npm",
        "install",
        "--prefix",
        dir(ctx),
        "--no-audit",
        "--no-fund",
        pkg(ctx),
      ]);
      // leveldown is an optional dependency whose linux-x64 build ships in its npm tarball;
      // without it kinesalite would fail at the first start, so fail the install instead.
      await step({ component: "kinesis", logFile }, "load leveldown", [
        "node",
        "-e",
        `require(${JSON.stringify(`${dir(ctx)}/node_modules/leveldown`)})`,
      ]);
    });
  },
  launch(ctx) {
    const options = {
      path: ctx.data("kinesis"),
      // Streams are ACTIVE (and gone) at once instead of after kinesalite's default 500 ms.
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: SHARD_LIMIT,
    };
    return Promise.resolve({
      cmd: [
        "node",
        "-e",
        SERVE,
        `${dir(ctx)}/node_modules/kinesalite`,
        JSON.stringify(options),
        ctx.cfg.stack.host,
        String(ctx.cfg.stack.ports.kinesis),
      ],
      // Stream ARNs name this region and account.
      env: { AWS_REGION: ctx.cfg.region, AWS_ACCOUNT_ID: "000000000000" },
    });
  },
  async healthy(ctx) {
    // kinesalite has no health route: a real ListStreams (any signature is accepted, but the
    // Authorization header must have the SigV4 shape) that answers a stream list.
    const res = await fetch(kinesis.address(ctx), {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "Kinesis_20131202.ListStreams",
        "x-amz-date": "20260101T000000Z",
        authorization: "AWS4-HMAC-SHA256 Credential=local/20260101/" + ctx.cfg.region +
          "/kinesis/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: "{}",
    });
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const body = await res.json().catch(() => undefined);
    return Array.isArray(body?.StreamNames);
  },
};
