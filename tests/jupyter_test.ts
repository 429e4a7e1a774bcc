/**
 * `deno task jupyter` as a person uses it: started from the shell, opened in a real browser
 * (Debian's Chromium), notebooks 01 and 07 run from the Run menu (01 twice in the same kernel),
 * and what a reader checks asserted: no error output, tables with rows, charts drawn. Ctrl-C
 * then stops JupyterLab and nothing else. Screenshots go to `<state>/jupyter-test/`.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../scripts/lib/core/config.ts";
import { startLab } from "../scripts/lib/notebook/jupyter_lab.ts";
import { runUntilStopped } from "../scripts/lib/stack/session.ts";
import { stackContext } from "../scripts/lib/stack/context.ts";
import { portHolder } from "../scripts/lib/stack/ports.ts";
import { procInfo } from "../scripts/lib/stack/process.ts";
import { trackStack } from "./harness.ts";
import { sleep } from "../scripts/lib/core/time.ts";
import {
  allDrawn,
  launchBrowser,
  type NotebookResult,
  openLab,
  runNotebook,
  screenshotNotebook,
} from "./jupyter_ui.ts";

const cfg = await loadConfig();
const dec = new TextDecoder();

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

async function task(args: string[]): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "jupyter", ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("deno task jupyter names the port and its holder when the port is taken", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    const r = await task(["--port", String(port)]);
    assert.equal(r.code, 1, r.output);
    assert.match(
      r.output,
      new RegExp(
        `Cannot start JupyterLab: port ${port} on 127\\.0\\.0\\.1 is taken by pid ${Deno.pid} `,
      ),
    );
    assert.match(r.output, /pass --port N or set PIPELINE_JUPYTER_PORT/);
  } finally {
    taken.close();
  }
});

Deno.test("deno task jupyter refuses a port that is not a port number", async () => {
  const r = await task(["--port", "eighty"]);
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /Invalid JupyterLab port "eighty": give a port number 1-65535/);
});

// Deno colours its tracebacks.
/** Settings for a test's JupyterLab: no autosave (never write into notebooks), every cell in the page. */
async function testSettings(dir: string): Promise<string[]> {
  const write = async (plugin: string, value: unknown) => {
    await Deno.mkdir(`${dir}/settings/${plugin.split(":")[0]}`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/settings/${plugin.replace(":", "/")}.jupyterlab-settings`,
      JSON.stringify(value),
    );
  };
  await write("@jupyterlab/docmanager-extension:plugin", { autosave: false });
  await write("@jupyterlab/notebook-extension:tracker", { windowingMode: "none" });
  return [
    `--LabApp.user_settings_dir=${dir}/settings`,
    `--LabApp.workspaces_dir=${dir}/workspaces`,
    "--LabApp.expose_app_in_browser=True",
  ];
}

const ANSI = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");

/** Fails naming the notebook and the cell when any cell shows an error; checks tables and charts. */
function assertReadable(r: NotebookResult): void {
  for (const c of r.cells) {
    for (const e of c.errors) {
      throw new Error(
        `${r.name}: cell ${c.index} ([${c.executionCount}] ${c.firstLine}) failed: ` +
          `${e.ename}: ${e.evalue}\n${
            e.traceback.replace(ANSI, "").split("\n").slice(0, 12).join("\n")
          }`,
      );
    }
    assert.ok(c.executionCount !== null, `${r.name}: cell ${c.index} (${c.firstLine}) did not run`);
    c.tableRows.forEach((rows, i) =>
      assert.ok(rows > 0, `${r.name}: cell ${c.index} (${c.firstLine}): table ${i + 1} has no rows`)
    );
    assert.ok(
      allDrawn([c]),
      `${r.name}: cell ${c.index} (${c.firstLine}) holds ` +
        `${c.mimeTypes.filter((m) => m === "image/png").length} PNG charts but the page drew ` +
        `${JSON.stringify(c.images)}`,
    );
    assert.ok(
      !c.mimeTypes.includes("image/svg+xml"),
      `${r.name}: cell ${c.index} still sends an SVG-only chart`,
    );
  }
  assert.ok(r.cells.some((c) => c.tableRows.length > 0), `${r.name} shows no table`);
  assert.ok(r.cells.some((c) => c.images.length > 0), `${r.name} shows no chart`);
  assert.equal(r.kernelStatus, "idle");
}

Deno.test({
  name: "JupyterLab in Chromium runs notebooks 01 and 07 from the Run menu, 01 twice",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const stack = await trackStack();
    const outDir = `${cfg.stateDir}/jupyter-test`;
    await Deno.remove(outDir, { recursive: true }).catch(() => {});
    const labOptions = await testSettings(outDir);
    const port = freePort();
    const started = performance.now();
    // setsid: the task gets a process group of its own, so the test can Ctrl-C it as a terminal
    // does (SIGINT to the group).
    const child = new Deno.Command("setsid", {
      args: [
        Deno.execPath(),
        "task",
        "-q",
        "jupyter",
        "--port",
        String(port),
        "--",
        ...labOptions,
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let output = "";
    const collect = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) output += dec.decode(chunk);
    };
    const collected = Promise.all([collect(child.stdout), collect(child.stderr)]);
    const browser = await launchBrowser(await Deno.makeTempDir({ prefix: "chromium-profile-" }));
    try {
      let url: string | undefined;
      let exited: Deno.CommandStatus | undefined;
      child.status.then((s) => exited = s);
      const deadline = Date.now() + 180_000;
      while (!url && !exited && Date.now() < deadline) {
        url = /^\s+(http:\/\/127\.0\.0\.1:\d+\/lab\?token=\w+)$/m.exec(output)?.[1];
        if (!url) await sleep(100);
      }
      assert.ok(
        url,
        `deno task jupyter ${
          exited ? `exited with code ${exited.code}` : "printed no URL in 180 s"
        }` +
          `:\n${output}`,
      );
      const urlSeconds = (performance.now() - started) / 1000;
      const page = await browser.newPage();
      const shellSeconds = await openLab(page, url);
      console.log(
        `  deno task jupyter: URL after ${urlSeconds.toFixed(1)} s, page usable ` +
          `${shellSeconds.toFixed(1)} s later (${(urlSeconds + shellSeconds).toFixed(1)} s in all)`,
      );
      const first = await runNotebook(page, "01_source_data.ipynb");
      assertReadable(first);
      await screenshotNotebook(page, `${outDir}/01_source_data.png`);
      const again = await runNotebook(page, "01_source_data.ipynb", { reopen: false });
      assertReadable(again);
      // The same kind of output the second time: as many tables and charts. Counted over the
      // notebook, not per cell: the Deno kernel may deliver a display late, into the next cell.
      const kinds = (r: NotebookResult) =>
        r.cells.map((c) => [c.tableRows.length, c.images.length]);
      const total = (r: NotebookResult) =>
        kinds(r).reduce(([t, i], [ct, ci]) => [t + ct, i + ci], [0, 0]);
      assert.deepEqual(
        total(again),
        total(first),
        `01 twice: ${JSON.stringify(kinds(first))} then ${JSON.stringify(kinds(again))}`,
      );
      const analytics = await runNotebook(page, "07_analytics.ipynb");
      // Before it ran, the committed outputs (an untrusted notebook) already drew every chart.
      const committed = analytics.opened.flatMap((c) => c.images);
      assert.ok(
        committed.length >= 7 && allDrawn(analytics.opened),
        `07_analytics.ipynb as committed shows ${JSON.stringify(committed)}`,
      );
      assertReadable(analytics);
      await screenshotNotebook(page, `${outDir}/07_analytics.png`);
      for (const r of [first, again, analytics]) {
        console.log(
          `  ${r.name}: ${r.cells.length} code cells in ${r.seconds.toFixed(1)} s, ` +
            `${r.cells.flatMap((c) => c.tableRows).length} tables, ` +
            `${r.cells.flatMap((c) => c.images).length} charts`,
        );
      }
      // Ctrl-C stops JupyterLab (found by its port) and leaves the stack running.
      const server = await portHolder(port);
      assert.ok(server?.pid, `nothing listens on JupyterLab's port ${port}`);
      Deno.kill(-child.pid, "SIGINT");
      const status = await child.status;
      await collected;
      assert.equal(status.code, 0, output);
      assert.match(output, /✔ JupyterLab stopped/);
      assert.equal(await procInfo(server.pid), undefined, "JupyterLab still runs after Ctrl-C");
      const after = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "stack:status"],
        stdout: "piped",
        stderr: "null",
      }).output();
      assert.equal(
        after.code,
        0,
        `the stack stopped with JupyterLab:\n${dec.decode(after.stdout)}`,
      );
    } finally {
      await browser.close();
      try {
        Deno.kill(-child.pid, "SIGINT");
      } catch {
        // Stopped already.
      }
      await child.status;
      await stack.release();
    }
  },
});

/** A notebook of Deno code cells, as JupyterLab saves one. */
function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source, i) => ({
      cell_type: "code",
      id: `c${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
    metadata: { kernelspec: { display_name: "Deno", language: "typescript", name: "deno" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

Deno.test({
  name: "a failing cell and a dying kernel are named with their notebook and cell",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ctx = await stackContext(cfg);
    const dir = `${cfg.stateDir}/jupyter-test-bad`;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${dir}/root`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/root/fails.ipynb`,
      notebook(["const x = 1;", 'throw new Error("boom in the second cell");', "x"]),
    );
    await Deno.writeTextFile(`${dir}/root/dies.ipynb`, notebook(["1 + 1", "Deno.exit(7)"]));
    const lab = await startLab(ctx, {
      port: freePort(),
      logFile: `${dir}/jupyter.log`,
      extraArgs: [...await testSettings(dir), `--ServerApp.root_dir=${dir}/root`],
    });
    const browser = await launchBrowser(await Deno.makeTempDir({ prefix: "chromium-profile-" }));
    try {
      const page = await browser.newPage();
      await openLab(page, lab.urlWithToken);
      const failed = await runNotebook(page, "fails.ipynb", { timeoutMs: 60_000 });
      assert.throws(
        () => assertReadable(failed),
        /^Error: fails\.ipynb: cell 1 \(\[2\] throw new Error\("boom in the second cell"\);\) failed: Error: boom in the second cell/,
      );
      await assert.rejects(
        runNotebook(page, "dies.ipynb", { timeoutMs: 60_000 }),
        /The kernel of dies\.ipynb died \((dead|autorestarting|restarting|unknown)\) while running cell 1 \(Deno\.exit\(7\)\)/,
      );
    } finally {
      await browser.close();
      lab.child.stop();
      await runUntilStopped(lab.child, "JupyterLab");
    }
  },
});
