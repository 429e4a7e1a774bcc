/**
 * MinIO built from the Go module proxy at a pinned commit. Stands in for S3.
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";
import { installOnce, isStamped, step } from "../install.ts";

const dir = (ctx: StackContext) => ctx.cache(`minio-${ctx.versions.get("minio", "version")}`);
const stamp = (ctx: StackContext) =>
  `${ctx.versions.get("minio", "module")}@${ctx.versions.get("minio", "version")}`;

/** The MinIO service. */
export const minio: Service = {
  name: "minio",
  title: "MinIO (S3)",
  requires: ["go"],
  diskMiB: 2500,
  ports: ["minio", "minio_console"],
  dependsOn: [],
  startTimeout: 60,
  version: (ctx) => ctx.versions.get("minio", "version"),
  address: (ctx) => `http://${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.minio}`,
  installed: (ctx) => isStamped(dir(ctx), stamp(ctx)),
  async install(ctx) {
    const go = ctx.cache("go");
    await installOnce(
      dir(ctx),
      stamp(ctx),
      () =>
        step(
          { component: "minio", logFile: ctx.log("install-minio.log") },
          `go install ${stamp(ctx)} (a few minutes cold)`,
          [
            "go",
            "install",
            stamp(ctx),
          ],
          {
            env: {
              PATH: `/usr/local/go/bin:${Deno.env.get("PATH")}`,
              // A Go older than MinIO's go.mod fetches the Go it names from the module proxy.
              GOTOOLCHAIN: "auto",
              GOFLAGS: "-buildvcs=false",
              CGO_ENABLED: "0",
              GOPATH: go,
              GOMODCACHE: `${go}/pkg/mod`,
              GOCACHE: `${go}/build-cache`,
              GOBIN: `${dir(ctx)}/bin`,
            },
          },
        ),
    );
  },
  launch(ctx) {
    const { host, ports } = ctx.cfg.stack;
    return Promise.resolve({
      cmd: [
        `${dir(ctx)}/bin/minio`,
        "server",
        ctx.data("minio"),
        "--address",
        `${host}:${ports.minio}`,
        "--console-address",
        `${host}:${ports.minio_console}`,
        "--quiet",
      ],
      env: {
        MINIO_ROOT_USER: ctx.cfg.s3.accessKeyId!,
        MINIO_ROOT_PASSWORD: ctx.cfg.s3.secretAccessKey!,
        MINIO_BROWSER: "on",
      },
    });
  },
  async healthy(ctx) {
    const res = await fetch(`${minio.address(ctx)}/minio/health/ready`);
    await res.body?.cancel();
    // Another S3 look-alike on the port would answer too; insist on MinIO.
    return res.ok && res.headers.get("server") === "MinIO";
  },
};
