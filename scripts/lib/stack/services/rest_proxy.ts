/**
 * The Kafka REST proxy (scripts/rest_proxy.ts) as a stack service. Strimzi's bridge, the
 * design's choice, is not served by the reachable Maven Central; see the README.
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";

/** The REST proxy service. */
export const restProxy: Service = {
  name: "rest_proxy",
  title: "Kafka REST proxy",
  ports: ["rest_proxy"],
  dependsOn: ["kafka"],
  startTimeout: 60,
  version: () => `deno ${Deno.version.deno}`,
  address: (ctx: StackContext) => `http://${ctx.cfg.stack.host}:${ctx.cfg.stack.ports.rest_proxy}`,
  installed: () => Promise.resolve(true),
  install: () => Promise.resolve(),
  launch(ctx) {
    return Promise.resolve({
      cmd: [
        Deno.execPath(),
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-sys",
        `${ctx.cfg.root}/scripts/rest_proxy.ts`,
      ],
      cwd: ctx.cfg.root,
      env: { NO_COLOR: "1" },
    });
  },
  async healthy(ctx) {
    const res = await fetch(`${restProxy.address(ctx)}/healthy`);
    await res.body?.cancel();
    return res.ok;
  },
};
