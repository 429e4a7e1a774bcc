/**
 * Headless execution of the Deno notebooks with the nbconvert of our Jupyter venv (the same
 * environment and kernel `deno task jupyter` serves).
 *
 * @module
 */
import { REPO_ROOT } from "../core/paths.ts";
import type { StackContext } from "../stack/component.ts";
import { stackContext } from "../stack/context.ts";
import { requireInstalled } from "../stack/guard.ts";
import { jupyter, jupyterEnv, jupyterPaths } from "../stack/services/jupyter.ts";

/** What this module runs. */
export const RUNS = [jupyter];

/** Notebooks under `dir` (sorted), optionally only those whose file name contains a filter. */
export async function listNotebooks(dir: string, filters: string[] = []): Promise<string[]> {
  const all: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb")) all.push(`${dir}/${e.name}`);
  }
  all.sort();
  const chosen = filters.length
    ? all.filter((p) => filters.some((f) => p.split("/").pop()!.includes(f)))
    : all;
  if (chosen.length === 0) {
    throw new Error(`No notebook in ${dir} matches ${filters.join(", ") || "*.ipynb"}`);
  }
  return chosen;
}

/** True when nbconvert's report holds only the kernel's bare failure, no error of the code. */
export function kernelHiccup(report: string): boolean {
  // nbclient's own CellExecutionError line wraps every failure; the code's error is what counts.
  const errors = report.split("\n").map((l) => l.trim())
    .filter((l) => /^\w*Error: /.test(l) && !l.includes("CellExecutionError"));
  return errors.length > 0 && errors.every((l) => l === "Error: Execution failed");
}

/** Result of one execution. */
export interface NotebookRun {
  output: string;
  seconds: number;
}

/**
 * Executes a notebook on the Deno kernel. Throws with nbconvert's report (the failing cell and
 * its error) when any cell fails.
 */
export async function executeNotebook(
  path: string,
  opts: { outDir?: string; timeoutSeconds?: number; retried?: boolean; ctx?: StackContext } = {},
): Promise<NotebookRun> {
  const started = performance.now();
  const ctx = opts.ctx ?? await stackContext();
  await requireInstalled(ctx, RUNS, "the notebooks");
  const name = path.split("/").pop()!;
  const dir = path.slice(0, path.lastIndexOf("/"));
  // The Deno kernel may report a cell idle before its last outputs arrive; our preprocessor
  // (stack/jupyter/deno_exec.py) keeps reading briefly after idle instead of nbconvert's
  // stock --execute, which drops them.
  const args = [
    "nbconvert",
    "--log-level=WARN",
    "--to",
    "notebook",
    "--NotebookExporter.preprocessors",
    "deno_exec.GraceExecutePreprocessor",
    `--ExecutePreprocessor.timeout=${opts.timeoutSeconds ?? 1800}`,
    "--ExecutePreprocessor.kernel_name=deno",
  ];
  if (opts.outDir) {
    await Deno.mkdir(opts.outDir, { recursive: true });
    args.push("--output-dir", opts.outDir);
  } else args.push("--inplace");
  args.push(path);
  const out = await new Deno.Command(jupyterPaths(ctx).jupyter, {
    args,
    cwd: dir,
    env: jupyterEnv(ctx, { PYTHONPATH: `${REPO_ROOT}/stack/jupyter`, NO_COLOR: "1" }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-40).join("\n");
    // Deno 2.9's kernel now and then fails a cell with a bare "Execution failed" and no error
    // of the code; a real error carries its own message and fails again, so retry that once.
    if (kernelHiccup(err) && !opts.retried) {
      console.warn(
        `! ${name}: the Deno kernel reported a bare "Execution failed"; running it once more`,
      );
      return executeNotebook(path, { ...opts, ctx, retried: true });
    }
    throw new Error(`Notebook ${name} failed:\n${err}`);
  }
  return {
    output: opts.outDir ? `${opts.outDir}/${name}` : path,
    seconds: (performance.now() - started) / 1000,
  };
}
