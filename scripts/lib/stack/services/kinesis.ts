/**
 * kinesis-mock (npm `kinesis-local`), persisting its streams in the state directory. Stands in
 * for Kinesis. It listens on all interfaces; it has no setting to bind one address.
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";
import { installOnce, isStamped, step } from "../install.ts";

const pkg = (ctx: StackContext) =>
  `${ctx.versions.get("kinesis_local", "npm")}@${ctx.versions.get("kinesis_local", "version")}`;
const dir = (ctx: StackContext) =>
  ctx.cache(`kinesis-local-${ctx.versions.get("kinesis_local", "version")}`);

/** The kinesis-mock service. */
export const kinesis: Service = {
  name: "kinesis",
  title: "kinesis-mock (Kinesis)",
  ports: ["kinesis", "kinesis_tls"],
  dependsOn: [],
  startTimeout: 60,
  version: (ctx) => ctx.versions.get("kinesis_local", "version"),
  address: (ctx) => `http://${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.kinesis}`,
  installed: (ctx) => isStamped(dir(ctx), pkg(ctx)),
  async install(ctx) {
    await installOnce(
      dir(ctx),
      pkg(ctx),
      () =>
        step(
          { component: "kinesis", logFile: ctx.log("install-kinesis.log") },
          `npm install ${pkg(ctx)}`,
          [
            "npm",
            "install",
            "--prefix",
            dir(ctx),
            "--no-audit",
            "--no-fund",
            pkg(ctx),
          ],
        ),
    );
  },
  launch(ctx) {
    const root = `${dir(ctx)}/node_modules/kinesis-local`;
    return Promise.resolve({
      cmd: ["node", `${root}/main.js`],
      cwd: root,
      env: {
        KINESIS_MOCK_PLAIN_PORT: String(ctx.cfg.stack.ports.kinesis),
        KINESIS_MOCK_TLS_PORT: String(ctx.cfg.stack.ports.kinesis_tls),
        KINESIS_MOCK_CERT_PATH: `${root}/server.json`,
        SHOULD_PERSIST_DATA: "true",
        PERSIST_PATH: ctx.data("kinesis"),
        PERSIST_FILE_NAME: "kinesis-data.json",
        // Each save rewrites the whole data file: every second cost most of a core at idle.
        PERSIST_INTERVAL: "30s",
        CREATE_STREAM_DURATION: "0ms",
        DELETE_STREAM_DURATION: "0ms",
        LOG_LEVEL: "WARN",
        AWS_REGION: ctx.cfg.region,
        AWS_ACCOUNT_ID: "000000000000",
      },
    });
  },
  async healthy(ctx) {
    const res = await fetch(`${kinesis.address(ctx)}/healthcheck`);
    await res.body?.cancel();
    return res.ok;
  },
};
