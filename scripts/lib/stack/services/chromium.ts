/**
 * Debian's Chromium, the browser the JupyterLab test drives through puppeteer-core (whose own
 * browser download cannot work here).
 *
 * @module
 */
import type { Component, StackContext } from "../component.ts";
import { aptInstall, missingDebs } from "../install.ts";

/** Where Debian installs the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const packages = (ctx: StackContext) => ctx.versions.list("chromium", "debian_packages");

/** The installed Chromium's major version, or undefined when it does not run. */
export async function chromiumMajor(): Promise<number | undefined> {
  try {
    const out = await new Deno.Command(CHROMIUM_PATH, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const m = /Chromium (\d+)\./.exec(new TextDecoder().decode(out.stdout));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The Chromium component (run by the JupyterLab browser test). */
export const chromium: Component = {
  name: "chromium",
  title: "Chromium (browser tests)",
  requires: ["apt"],
  debianPackages: packages,
  diskMiB: 350,
  version: (ctx) => `Debian's, ${ctx.versions.get("chromium", "min_major")}+`,
  async installed(ctx) {
    if ((await missingDebs(packages(ctx))).length) return false;
    const major = await chromiumMajor();
    return major !== undefined && major >= Number(ctx.versions.get("chromium", "min_major"));
  },
  async install(ctx) {
    const log = { component: "chromium", logFile: ctx.log("install-chromium.log") };
    await aptInstall(log, packages(ctx));
    const major = await chromiumMajor();
    const min = Number(ctx.versions.get("chromium", "min_major"));
    if (major === undefined || major < min) {
      throw new Error(
        `${CHROMIUM_PATH} is Chromium ${
          major ?? "(not runnable)"
        }, the browser test needs ${min}+; ` +
          "run `apt-get update && apt-get install chromium`",
      );
    }
  },
};
