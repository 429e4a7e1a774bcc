/**
 * Jupyter in one cached venv from stack/jupyter-lock.txt: JupyterLab for `deno task jupyter`,
 * nbconvert and nbclient for the headless `deno task notebooks`, and the Deno kernel installed
 * into that venv. Every directory Jupyter reads or writes (config, data, runtime, lab settings,
 * workspaces) is under the state directory, so the user's ~/.jupyter and ~/.local/share/jupyter
 * play no part.
 *
 * @module
 */
import type { Component, StackContext } from "../component.ts";
import { installOnce, isStamped, step } from "../install.ts";
import { checkLockPins, fileHash, installVenv } from "./python_venv.ts";

const v = (ctx: StackContext, k: string) => ctx.versions.get("jupyter", k);
const dir = (ctx: StackContext) => ctx.cache(`jupyter-${v(ctx, "jupyterlab")}`);
const lock = (ctx: StackContext) => `${ctx.cfg.root}/${v(ctx, "lock")}`;
const stamp = async (ctx: StackContext) =>
  `jupyterlab ${v(ctx, "jupyterlab")} lock ${await fileHash(lock(ctx))}`;

/** Where the installed Jupyter lives. */
export interface JupyterPaths {
  venv: string;
  /** The venv's `share/jupyter`: its kernelspecs, and JupyterLab's static files. */
  share: string;
  /** The Deno kernel's kernel.json. */
  kernelJson: string;
  /** The `jupyter` command of the venv. */
  jupyter: string;
}

/** Paths of the installed Jupyter. */
export function jupyterPaths(ctx: StackContext): JupyterPaths {
  const venv = `${dir(ctx)}/venv`;
  const share = `${venv}/share/jupyter`;
  return {
    venv,
    share,
    kernelJson: `${share}/kernels/deno/kernel.json`,
    jupyter: `${venv}/bin/jupyter`,
  };
}

/** The state directory's Jupyter directories, by what they hold. */
export function jupyterStateDirs(ctx: StackContext) {
  const base = `${ctx.cfg.stateDir}/jupyter`;
  return {
    base,
    config: `${base}/config`,
    data: `${base}/data`,
    runtime: `${base}/runtime`,
    settings: `${base}/lab/user-settings`,
    workspaces: `${base}/lab/workspaces`,
  };
}

/**
 * Environment of every Jupyter process we start (JupyterLab, nbconvert, and so the kernels).
 * `overrides` replace single entries, e.g. JUPYTERLAB_SETTINGS_DIR for a test.
 */
export function jupyterEnv(
  ctx: StackContext,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const p = jupyterPaths(ctx);
  const d = jupyterStateDirs(ctx);
  return {
    // JUPYTER_PATH is searched before the user's data dir: a Deno kernelspec left in
    // ~/.local/share/jupyter (pointing at another deno) cannot shadow ours.
    JUPYTER_PATH: p.share,
    JUPYTER_DATA_DIR: d.data,
    JUPYTER_CONFIG_DIR: d.config,
    JUPYTER_RUNTIME_DIR: d.runtime,
    JUPYTERLAB_SETTINGS_DIR: d.settings,
    JUPYTERLAB_WORKSPACES_DIR: d.workspaces,
    // jupyter_core warns on every start until the platform directories are chosen explicitly.
    JUPYTER_PLATFORM_DIRS: "1",
    PATH: `${p.venv}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    ...overrides,
  };
}

/** True when the Deno kernelspec exists and starts the deno that runs us now. */
async function kernelRunnable(ctx: StackContext): Promise<boolean> {
  try {
    const spec = JSON.parse(await Deno.readTextFile(jupyterPaths(ctx).kernelJson)) as {
      argv: string[];
    };
    // A kernel pointing at a moved or removed deno breaks every notebook; deno writes the path
    // it was called by (a symlink such as /usr/bin/deno), so compare where both lead.
    return await Deno.realPath(spec.argv[0]) === await Deno.realPath(Deno.execPath());
  } catch {
    return false;
  }
}

async function installKernel(ctx: StackContext): Promise<void> {
  const p = jupyterPaths(ctx);
  const log = { component: "jupyter", logFile: ctx.log("install-jupyter.log") };
  // `deno jupyter --install` writes to ~/.local/share/jupyter unless DENO_TEST_JUPYTER_PATH names
  // another data directory (Deno's own hook, also what distributions package the kernel with).
  await step(log, "deno jupyter --install (into the venv)", [
    Deno.execPath(),
    "jupyter",
    "--install",
    "--force",
  ], { env: { DENO_TEST_JUPYTER_PATH: p.share } });
  if (!(await kernelRunnable(ctx))) {
    throw new Error(
      `deno jupyter --install did not write ${p.kernelJson} for ${Deno.execPath()}; ` +
        "this deno may no longer honour DENO_TEST_JUPYTER_PATH",
    );
  }
}

/** The Jupyter component (run by `deno task jupyter` and `deno task notebooks`). */
export const jupyter: Component = {
  name: "jupyter",
  title: "JupyterLab + Deno kernel",
  requires: ["python"],
  diskMiB: 260,
  version: (ctx) => `${v(ctx, "jupyterlab")} / deno ${Deno.version.deno}`,
  installed: async (ctx) =>
    await isStamped(dir(ctx), await stamp(ctx)) && await kernelRunnable(ctx),
  async install(ctx) {
    await checkLockPins(lock(ctx), {
      jupyterlab: v(ctx, "jupyterlab"),
      nbconvert: v(ctx, "nbconvert"),
      nbclient: v(ctx, "nbclient"),
    });
    await installOnce(
      dir(ctx),
      await stamp(ctx),
      () => installVenv(ctx, "jupyter", `${dir(ctx)}/venv`, lock(ctx)),
    );
    await installKernel(ctx);
  },
};
