/**
 * Services of this repository that run as Deno scripts (the REST proxy and the API gateway).
 *
 * @module
 */
import type { Service, StackContext } from "../component.ts";
import type { PortName } from "../../core/config.ts";

/** Describes a Deno script served on one stack port with a `/healthy` route. */
export function denoService(opts: {
  name: string;
  title: string;
  port: PortName;
  script: string;
  dependsOn: string[];
  /** A permission set of deno.json (`-P=<name>`), as the script's own task uses. */
  permissions: string;
}): Service {
  const address = (ctx: StackContext) =>
    `http://${ctx.cfg.stack.host}:${ctx.cfg.stack.ports[opts.port]}`;
  return {
    name: opts.name,
    title: opts.title,
    ports: [opts.port],
    dependsOn: opts.dependsOn,
    startTimeout: 60,
    version: () => `deno ${Deno.version.deno}`,
    address,
    installed: () => Promise.resolve(true),
    install: () => Promise.resolve(),
    launch(ctx) {
      return Promise.resolve({
        cmd: [Deno.execPath(), "run", `-P=${opts.permissions}`, `${ctx.cfg.root}/${opts.script}`],
        cwd: ctx.cfg.root,
        // The user id it serves is the start's own (a test's, or the supervisor's restart of it).
        env: { NO_COLOR: "1", PIPELINE_USER_ID: ctx.cfg.userId },
      });
    },
    async healthy(ctx) {
      const res = await fetch(`${address(ctx)}/healthy`);
      await res.body?.cancel();
      return res.ok;
    },
  };
}
