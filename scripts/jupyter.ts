/**
 * `deno task jupyter [--port N] [--no-stack]`: JupyterLab on the Deno kernel over notebooks/, on
 * 127.0.0.1 (port 8888, or PIPELINE_JUPYTER_PORT), for people. Installs what the notebooks need,
 * starts JupyterLab and, beside it, the local stack; prints the URL with its token once both are
 * ready. Ctrl-C stops JupyterLab and its kernels, and nothing else: the stack keeps running.
 * Arguments after `--` go to `jupyter lab` as they are (e.g. `--LabApp.user_settings_dir=DIR`).
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { loadConfig } from "./lib/core/config.ts";
import { checkJupyterPort, jupyterPort, labArgs, startLab } from "./lib/notebook/jupyter_lab.ts";
import { holdingStackStart } from "./lib/notebook/stack.ts";
import { runUntilStopped } from "./lib/stack/session.ts";
import { stackContext } from "./lib/stack/context.ts";
import { installFor } from "./lib/stack/needs.ts";
import { up } from "./lib/stack/stack.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
const USAGE = "deno task jupyter [--port N] [--no-stack] [-- jupyter lab options] " +
  "(port 8888 or PIPELINE_JUPYTER_PORT)";

if (import.meta.main) {
  await main(async () => {
    const started = performance.now();
    const { values, positionals } = parseFlags(Deno.args, {
      port: { type: "string" },
      "no-stack": { type: "boolean" },
    }, USAGE);
    const port = jupyterPort(values.port);
    labArgs(port, "", positionals); // refuses a bad `--` argument before anything starts
    // Before any install: a taken port fails at once, naming what holds it.
    await checkJupyterPort(port);
    const cfg = await loadConfig();
    const ctx = await stackContext(cfg);
    await installFor(ctx, "jupyter");
    const logFile = ctx.log("jupyter.log");
    // Ctrl-C at any point stops JupyterLab: it runs in a session of its own and would outlive us.
    const interrupted = new AbortController();
    const onSignal = () => interrupted.abort();
    for (const s of SIGNALS) Deno.addSignalListener(s, onSignal);
    // JupyterLab and the stack start side by side (both take seconds); a notebook's first
    // cell waits for the stack through the marker holdingStackStart keeps.
    const stack = values["no-stack"]
      ? Promise.resolve(undefined)
      : holdingStackStart(ctx, () => up(ctx));
    stack.catch(() => {}); // handled below, after JupyterLab is up
    const lab = await startLab(ctx, {
      port,
      logFile,
      signal: interrupted.signal,
      extraArgs: positionals,
    });
    const stopped = new Promise<"stopped">((resolve) => {
      interrupted.signal.addEventListener("abort", () => resolve("stopped"));
    });
    let states;
    try {
      states = await Promise.race([stack, stopped]);
    } catch (e) {
      lab.child.stop();
      await runUntilStopped(lab.child, "JupyterLab");
      throw new Error(`${(e as Error).message}\nJupyterLab stopped: the stack did not come up`);
    }
    if (states === "stopped") {
      lab.child.stop();
      await runUntilStopped(lab.child, "JupyterLab");
      // Exiting now could leave a service launched but not yet in its pid file, which
      // stack:down would then never stop: let the start finish (or fail) first.
      console.log("✔ JupyterLab stopped; waiting for the stack's start to finish");
      const error = await stack.then(() => undefined, (e: Error) => e);
      for (const s of SIGNALS) Deno.removeSignalListener(s, onSignal);
      if (error) throw error;
      console.log("✔ stack up (deno task stack:down stops it)");
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      [
        "",
        `✔ JupyterLab on the Deno kernel, ready in ${seconds.toFixed(1)} s` +
        (states ? ` (stack: ${states.length} services healthy)` : " (stack not started)"),
        "",
        `    ${lab.urlWithToken}`,
        "",
        `  Notebooks: ${cfg.root}/notebooks   Server log: ${logFile}`,
        "  VS Code: Select Kernel → Existing Jupyter Server → paste the URL above",
        "  Ctrl-C stops JupyterLab and its kernels; the stack keeps running (deno task stack:down)",
      ].join("\n"),
    );
    interrupted.signal.addEventListener("abort", () => lab.child.stop());
    if (interrupted.signal.aborted) lab.child.stop();
    const code = await runUntilStopped(lab.child, "JupyterLab");
    for (const s of SIGNALS) Deno.removeSignalListener(s, onSignal);
    if (code !== 0) throw new Error(`JupyterLab exited with code ${code}; see ${logFile}`);
    console.log("✔ JupyterLab stopped");
  });
}
