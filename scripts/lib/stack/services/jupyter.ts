/**
 * Debian's Jupyter with the Deno kernel, for running the notebooks headless.
 *
 * @module
 */
import type { Component } from "../component.ts";
import { aptInstall, missingDebs, step } from "../install.ts";

const kernelJson = () =>
  `${Deno.env.get("HOME") ?? "/root"}/.local/share/jupyter/kernels/deno/kernel.json`;

async function kernelRunnable(): Promise<boolean> {
  try {
    const spec = JSON.parse(await Deno.readTextFile(kernelJson())) as { argv: string[] };
    // The kernel must start a deno that exists (a moved or removed deno breaks every notebook).
    return (await Deno.stat(spec.argv[0])).isFile;
  } catch {
    return false;
  }
}

/** The Jupyter component. */
export const jupyter: Component = {
  name: "jupyter",
  title: "Jupyter (Deno kernel)",
  version: () => `deno ${Deno.version.deno}`,
  async installed(ctx) {
    return (await missingDebs(ctx.versions.list("jupyter", "debian_packages"))).length === 0 &&
      await kernelRunnable();
  },
  async install(ctx) {
    const log = { component: "jupyter", logFile: ctx.log("install-jupyter.log") };
    await aptInstall(log, ctx.versions.list("jupyter", "debian_packages"));
    await step(log, "deno jupyter --install", [Deno.execPath(), "jupyter", "--install", "--force"]);
  },
};
