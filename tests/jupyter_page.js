// Runs inside JupyterLab's page (injected by tests/jupyter_ui.ts before the page loads): reads
// the shell, the current notebook's model and what its cells show. Plain JavaScript in a file of
// its own, so the browser's DOM types stay out of the Deno type check of the tests.
//
// `window.jupyterapp` is there because the test starts JupyterLab with
// --LabApp.expose_app_in_browser=True.

const current = () => globalThis.jupyterapp?.shell.currentWidget;
const codeCells = () => (current()?.content?.widgets ?? []).filter((c) => c.model.type === "code");
const visible = (e) => e.getBoundingClientRect().width > 0;

globalThis.nbProbe = {
  /** True once the shell is there with its menu bar. */
  shellReady() {
    return !!document.querySelector("#jp-main-dock-panel") &&
      !!document.querySelector(".lm-MenuBar-itemLabel") && !!globalThis.jupyterapp;
  },

  /** The visible element of `selector` whose `labelSelector` child reads `label`. */
  labelled(selector, labelSelector, label) {
    return [...document.querySelectorAll(selector)].find((e) =>
      e.querySelector(labelSelector)?.textContent?.trim() === label && visible(e)
    );
  },

  /** Title of the current tab. */
  title() {
    return current()?.title?.label ?? "";
  },

  /** The current notebook's kernel status, as its toolbar shows it. */
  kernel() {
    return current()?.sessionContext?.session?.kernel?.status ?? "no kernel";
  },

  /** True when no code cell holds an execution number (after Clear Outputs). */
  cleared() {
    return codeCells().every((c) => c.model.executionCount == null);
  },

  /**
   * Cells still to run (no number yet, or `[*]`), those queued or running (`[*]`), the first one
   * running, and whether a cell shows an error (Run All stops there: the rest never run).
   */
  progress() {
    let pending = 0, queued = 0, errored = false, running, runningLine = "";
    (current()?.content?.widgets ?? []).forEach((c, i) => {
      if (c.model.type !== "code") return;
      const prompt = c.node.querySelector(".jp-InputArea-prompt")?.textContent ?? "";
      if (prompt.includes("*")) queued++;
      const outs = c.model.outputs;
      for (let j = 0; j < outs.length; j++) errored ||= outs.get(j).type === "error";
      if (prompt.includes("*") || c.model.executionCount == null) {
        pending++;
        if (prompt.includes("*") && running === undefined) {
          running = i;
          runningLine = c.model.sharedModel.getSource().split("\n")[0].slice(0, 80);
        }
      }
    });
    return { kernel: this.kernel(), pending, queued, errored, running, runningLine };
  },

  /** Each code cell: its errors (from the model), its tables and images (from the page). */
  cells() {
    return (current()?.content?.widgets ?? []).flatMap((c, index) => {
      if (c.model.type !== "code") return [];
      const outs = c.model.outputs;
      const json = Array.from({ length: outs.length }, (_, i) => outs.get(i).toJSON());
      return [{
        index,
        executionCount: c.model.executionCount ?? null,
        firstLine: c.model.sharedModel.getSource().split("\n")[0].slice(0, 80),
        errors: json.filter((o) => o.output_type === "error").map((o) => ({
          ename: String(o.ename),
          evalue: String(o.evalue),
          traceback: (o.traceback ?? []).join("\n"),
        })),
        tableRows: [...c.node.querySelectorAll(".jp-OutputArea-output table")]
          .map((t) => t.querySelectorAll("tbody tr").length),
        images: [...c.node.querySelectorAll(".jp-OutputArea-output img")].map((i) => ({
          width: i.naturalWidth,
          height: i.naturalHeight,
          drawn: i.complete && i.naturalWidth > 0,
        })),
        mimeTypes: json.flatMap((o) => Object.keys(o.data ?? {})),
      }];
    });
  },

  /** Height of the current notebook's content, scrolled back to its top. */
  scrollTop() {
    const node = current()?.node;
    const outer = node?.querySelector(".jp-WindowedPanel-outer");
    if (outer) outer.scrollTop = 0;
    const inner = node?.querySelector(".jp-WindowedPanel-inner") ??
      node?.querySelector(".jp-Notebook");
    return Math.ceil(inner?.scrollHeight ?? 1000);
  },
};
