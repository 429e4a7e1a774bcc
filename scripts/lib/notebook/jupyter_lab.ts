/**
 * JupyterLab on the Deno kernel for people: bound to 127.0.0.1 with a fresh token, `notebooks/`
 * as its root, only the Deno kernel offered, and nothing fetched from the network (no news feed,
 * no update check, no extension catalogue).
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { jupyter, jupyterEnv, jupyterPaths, jupyterStateDirs } from "../stack/services/jupyter.ts";
import { portFree, portHolder } from "../stack/ports.ts";
import { requireInstalled } from "../stack/guard.ts";
import { type SessionChild, spawnSession } from "../stack/session.ts";

/** What this module runs. */
export const RUNS = [jupyter];

/** The default port, as Jupyter's own. */
export const DEFAULT_JUPYTER_PORT = 8888;

/**
 * The port from `--port`, else PIPELINE_JUPYTER_PORT, else 8888; anything but a port number
 * throws naming the value.
 *
 * @example
 * ```ts
 * import { jupyterPort } from "./jupyter_lab.ts";
 * jupyterPort("9000"); // 9000
 * ```
 */
export function jupyterPort(flag?: string, env = Deno.env.get("PIPELINE_JUPYTER_PORT")): number {
  // An empty PIPELINE_JUPYTER_PORT counts as unset.
  const text = flag ?? (env || undefined) ?? String(DEFAULT_JUPYTER_PORT);
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `Invalid JupyterLab port ${JSON.stringify(text)}${
        flag === undefined && env ? " (PIPELINE_JUPYTER_PORT)" : ""
      }: ` +
        "give a port number 1-65535, e.g. --port 8890",
    );
  }
  return port;
}

/** Throws naming the holder when JupyterLab's port is taken. */
export async function checkJupyterPort(port: number): Promise<void> {
  if (portFree("127.0.0.1", port)) return;
  const holder = await portHolder(port);
  throw new Error(
    `Cannot start JupyterLab: port ${port} on 127.0.0.1 is taken by ` +
      (holder ? `pid ${holder.pid} (${holder.command})` : "another process") +
      "; pass --port N or set PIPELINE_JUPYTER_PORT to a free port",
  );
}

/**
 * Server settings that hold for every start (the port and token come as flags). Written as
 * `jupyter_server_config.json` into our own config directory.
 */
export function serverConfig(root: string, stateDir: string) {
  return {
    // Not `.ipynb_checkpoints/` beside the committed notebooks.
    FileCheckpoints: { checkpoint_dir: `${stateDir}/jupyter/checkpoints` },
    ServerApp: {
      ip: "127.0.0.1",
      open_browser: false,
      // Another port than the one asked for would not be the printed URL.
      port_retries: 0,
      root_dir: `${root}/notebooks`,
      // This project's machines (and CI) run as root; the server is bound to 127.0.0.1 anyway.
      allow_root: true,
      // Language servers are not installed; their extension only scans for them at start.
      jpserver_extensions: { jupyter_lsp: false },
    },
    LabApp: {
      news_url: null,
      check_for_updates_class: "jupyterlab.handlers.announcements.NeverCheckForUpdate",
      extension_manager: "readonly",
    },
    // The venv's ipykernel brings a Python kernel; the notebooks are Deno's.
    KernelSpecManager: { allowed_kernelspecs: ["deno"] },
    MappingKernelManager: { default_kernel_name: "deno" },
  };
}

/** The arguments of `jupyter lab` for a port and token, then `extra` as given. */
export function labArgs(port: number, token: string, extra: string[] = []): string[] {
  for (const a of extra) {
    if (!a.startsWith("--")) {
      throw new Error(
        `Unexpected argument ${
          JSON.stringify(a)
        } for jupyter lab: give its options as --Class.trait=value`,
      );
    }
  }
  return ["lab", `--ServerApp.port=${port}`, `--IdentityProvider.token=${token}`, ...extra];
}

/** A running JupyterLab. */
export interface Lab {
  url: string;
  /** The URL with its token: what a browser opens. */
  urlWithToken: string;
  token: string;
  port: number;
  child: SessionChild;
  /** Seconds from start until it answered. */
  readySeconds: number;
}

/** Options of {@linkcode startLab}. */
export interface StartLabOptions {
  port: number;
  /** A fixed token (tests); a random one by default. */
  token?: string;
  /** Extra environment for the server and its kernels. */
  env?: Record<string, string>;
  /** Where the server's output goes: the terminal by default. */
  logFile?: string;
  /** Seconds to wait for the server to answer. */
  timeoutSeconds?: number;
  /** Stops the server (and the wait) when aborted, e.g. by Ctrl-C during start-up. */
  signal?: AbortSignal;
  /** More `jupyter lab` options, e.g. `--LabApp.user_settings_dir=DIR`. */
  extraArgs?: string[];
}

/**
 * Starts JupyterLab in a session of its own and waits until its API answers with the token.
 * Throws with the end of its output when it exits or does not answer in time.
 */
export async function startLab(ctx: StackContext, opts: StartLabOptions): Promise<Lab> {
  const started = performance.now();
  await checkJupyterPort(opts.port);
  await requireInstalled(ctx, RUNS, "JupyterLab");
  const dirs = jupyterStateDirs(ctx);
  for (const d of Object.values(dirs)) await Deno.mkdir(d, { recursive: true });
  await Deno.writeTextFile(
    `${dirs.config}/jupyter_server_config.json`,
    JSON.stringify(serverConfig(ctx.cfg.root, ctx.cfg.stateDir), null, 2) + "\n",
  );
  const token = opts.token ?? randomToken();
  const logFile = opts.logFile;
  const child = spawnSession(jupyterPaths(ctx).jupyter, labArgs(opts.port, token, opts.extraArgs), {
    env: jupyterEnv(ctx, opts.env),
    cwd: `${ctx.cfg.root}/notebooks`,
    stdout: logFile ? "piped" : "inherit",
    stderr: logFile ? "piped" : "inherit",
  });
  if (logFile) {
    const file = await Deno.open(logFile, { create: true, append: true });
    const w = file.writable.getWriter();
    const pump = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) await w.write(chunk);
    };
    Promise.all([pump(child.process.stdout), pump(child.process.stderr)])
      .finally(() => w.close().catch(() => {}));
  }
  const url = `http://127.0.0.1:${opts.port}`;
  const exited = child.status.then((s) => s);
  const deadline = Date.now() + (opts.timeoutSeconds ?? 60) * 1000;
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) {
      child.stop();
      await child.status;
      throw new Error("JupyterLab start interrupted");
    }
    const done = await Promise.race([
      exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 200)),
    ]);
    if (done) {
      throw new Error(
        `JupyterLab exited with code ${done.code} during start-up` +
          (logFile ? `; see ${logFile}` : " (its output is above)"),
      );
    }
    if (await answers(`${url}/api/status`, token)) {
      return {
        url: `${url}/lab`,
        urlWithToken: `${url}/lab?token=${token}`,
        token,
        port: opts.port,
        child,
        readySeconds: (performance.now() - started) / 1000,
      };
    }
  }
  child.stop();
  throw new Error(
    `JupyterLab did not answer on ${url} within ${opts.timeoutSeconds ?? 60} s` +
      (logFile ? `; see ${logFile}` : ""),
  );
}

async function answers(url: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(url, { headers: { Authorization: `token ${token}` } });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
