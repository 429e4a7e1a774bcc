/**
 * The repository's own import graph, read from the source: value imports only (a type-only
 * import runs nothing), relative specifiers only (npm packages are not ours). The circle check
 * and the task-needs check both walk it.
 *
 * @module
 */

const STATIC_IMPORT =
  /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\bfrom\s+)?["'](\.{1,2}\/[^"']+)["']/gm;

/**
 * The modules a source text imports for their values, as absolute paths.
 *
 * @example
 * ```ts
 * import { valueImports } from "./imports.ts";
 * valueImports("/r/a/b.ts", 'import { x } from "../c.ts";\nimport type { T } from "./t.ts";');
 * // ["/r/c.ts"]
 * ```
 */
export function valueImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(STATIC_IMPORT)) {
    if (!m[1]) out.push(decodeURIComponent(new URL(m[2], `file://${file}`).pathname));
  }
  return out;
}

/** A module of the graph: its source and what it imports. */
export interface GraphModule {
  text: string;
  imports: string[];
}

/** Every module reachable from `entries` (files that do not exist are left out). */
export async function importGraph(entries: string[]): Promise<Map<string, GraphModule>> {
  const graph = new Map<string, GraphModule>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift()!;
    if (graph.has(file)) continue;
    const text = await Deno.readTextFile(file).catch(() => undefined);
    if (text === undefined) continue;
    const imports = valueImports(file, text);
    graph.set(file, { text, imports });
    queue.push(...imports);
  }
  return graph;
}

/**
 * Import circles of a graph, each as the list of modules around it (first module repeated at
 * the end), found by depth-first search.
 *
 * @example
 * ```ts
 * import { importCircles } from "./imports.ts";
 * const g = new Map([
 *   ["a", { text: "", imports: ["b"] }],
 *   ["b", { text: "", imports: ["a"] }],
 * ]);
 * importCircles(g); // [["a", "b", "a"]]
 * ```
 */
export function importCircles(graph: Map<string, GraphModule>): string[][] {
  const circles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file)?.imports ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") circles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return circles;
}

/** Every `.ts` file under `dir`, skipping state, git and node_modules directories. */
export async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if ([".state", ".git", "node_modules"].includes(e.name)) continue;
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await tsFiles(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}
