import assert from "node:assert/strict";
import { importGraph, tsFiles, valueImports } from "../core/imports.ts";
import { REPO_ROOT } from "../core/paths.ts";
import { componentsFor, TASK_NEEDS, type TaskNeeds } from "./needs.ts";
import type { Component } from "./component.ts";

/** What one task does, read from deno.json. */
interface TaskCommand {
  name: string;
  /** Modules it runs: the `deno run` script, or the test files of `deno test`. */
  entries: string[];
  /** The task named by a chained `scripts/stack.ts install --for <task>`, if any. */
  installsFor?: string;
  /** The `deno run` script, for tasks that share one (the stack subcommands). */
  script?: string;
}

async function testFiles(path: string): Promise<string[]> {
  if ((await Deno.stat(path)).isFile) return [path];
  return (await tsFiles(path)).filter((f) => f.endsWith("_test.ts"));
}

async function readTasks(): Promise<TaskCommand[]> {
  const deno = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  const tasks: TaskCommand[] = [];
  for (const [name, def] of Object.entries(deno.tasks as Record<string, { command: string }>)) {
    const task: TaskCommand = { name, entries: [] };
    for (const part of def.command.split("&&").map((p) => p.trim().split(/\s+/))) {
      const args = part.filter((a) => !a.startsWith("-"));
      if (args[1] === "run") {
        const script = args.find((a) => a.endsWith(".ts"))!;
        const forAt = part.indexOf("--for");
        if (script === "scripts/stack.ts" && args[3] === "install" && forAt > 0) {
          task.installsFor = part[forAt + 1];
          continue;
        }
        task.script = script;
        task.entries.push(`${REPO_ROOT}/${script}`);
      } else if (args[1] === "test") {
        const paths = args.slice(2);
        for (const p of paths.length ? paths : ["."]) {
          task.entries.push(...await testFiles(`${REPO_ROOT}/${p.replace(/\/$/, "")}`));
        }
      }
    }
    tasks.push(task);
  }
  return tasks;
}

/** The modules a set of entries reaches, with their source. */
async function reach(entries: string[]): Promise<Map<string, string>> {
  const graph = await importGraph(entries);
  return new Map([...graph].map(([file, m]) => [file, m.text]));
}

/** Entries the notebooks run: what their code cells import from the repository. */
async function notebookImports(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${REPO_ROOT}/notebooks`)) {
    if (!e.name.endsWith(".ipynb")) continue;
    const nb = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/notebooks/${e.name}`));
    for (const cell of nb.cells as { cell_type: string; source: string[] | string }[]) {
      if (cell.cell_type !== "code") continue;
      const src = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      out.push(...valueImports(`${REPO_ROOT}/notebooks/${e.name}`, src));
    }
  }
  return out;
}

/** Tasks the DAG's operators run with `deno task <name>`. */
async function dagTasks(): Promise<string[]> {
  const out = new Set<string>();
  for await (const e of Deno.readDir(`${REPO_ROOT}/dags`)) {
    if (!e.name.endsWith(".py")) continue;
    const text = await Deno.readTextFile(`${REPO_ROOT}/dags/${e.name}`);
    for (const m of text.matchAll(/"deno",\s*"task",\s*"([\w:-]+)"|deno task ([\w:-]+)/g)) {
      out.add(m[1] ?? m[2]);
    }
  }
  return [...out];
}

/** Component -> the first module found running it, for one task and what it starts. */
async function runs(
  task: TaskCommand,
  tasks: TaskCommand[],
  visiting = new Set<string>(),
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (visiting.has(task.name)) return found;
  visiting.add(task.name);
  let modules = await reach(task.entries);
  const notebookRunner = `${REPO_ROOT}/scripts/lib/view/notebook.ts`;
  if (modules.has(notebookRunner)) {
    modules = new Map([...modules, ...await reach(await notebookImports())]);
  }
  const others: string[] = [];
  for (const [file, text] of modules) {
    for (const m of text.matchAll(/runTask\(\s*"([\w:-]+)"/g)) others.push(m[1]);
    if (!/^export const RUNS\b/m.test(text)) continue;
    const mod = await import(`file://${file}`) as { RUNS: readonly Component[] };
    for (const c of mod.RUNS) {
      if (!found.has(c.name)) found.set(c.name, file.slice(REPO_ROOT.length + 1));
      if (c.name === "airflow") others.push(...await dagTasks());
    }
  }
  for (const name of others) {
    const other = tasks.find((t) => t.name === name);
    if (!other) continue;
    for (const [c, via] of await runs(other, tasks, visiting)) {
      if (!found.has(c)) found.set(c, `${via} (through deno task ${name})`);
    }
  }
  return found;
}

/** What is wrong with a set of declarations, one line a problem. */
async function problems(needs: Record<string, TaskNeeds>): Promise<string[]> {
  const tasks = await readTasks();
  const out: string[] = [];
  for (const t of tasks) {
    if (!needs[t.name]) out.push(`task ${t.name} is not declared in TASK_NEEDS`);
  }
  for (const name of Object.keys(needs)) {
    if (!tasks.some((t) => t.name === name)) out.push(`TASK_NEEDS has ${name}: no such task`);
  }
  const installs = (name: string) =>
    new Set(
      (needs[name]?.stages.length ? componentsFor(name, needs) : []).map((c) => c.name),
    );
  // The stack's subcommands share one script: together they install all they can run.
  const groups = new Map<string, TaskCommand[]>();
  for (const t of tasks) {
    const key = t.script && tasks.filter((o) => o.script === t.script).length > 1
      ? t.script
      : t.name;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  for (const group of groups.values()) {
    if (group.every((t) => needs[t.name] && "pureLogic" in needs[t.name])) continue;
    const allowed = new Set(group.flatMap((t) => [...installs(t.name)]));
    const label = group.map((t) => t.name).join(" / ");
    const ran = new Map<string, string>();
    for (const t of group) for (const [c, via] of await runs(t, tasks)) ran.set(c, via);
    for (const [c, via] of ran) {
      if (!allowed.has(c)) {
        out.push(
          `task ${label} runs component ${c} (in ${via}) but does not install it: ` +
            "add its stage to TASK_NEEDS in scripts/lib/stack/needs.ts",
        );
      }
    }
  }
  for (const t of tasks) {
    if (!needs[t.name]?.stages.length) continue;
    const script = t.script ? await Deno.readTextFile(`${REPO_ROOT}/${t.script}`) : "";
    const installsFirst = t.installsFor === t.name ||
      script.includes(`installFor(`) && script.includes(`"${t.name}"`) ||
      t.script === "scripts/stack.ts";
    if (!installsFirst) {
      out.push(
        `task ${t.name} declares stages but does not install them first: call ` +
          `installFor(ctx, "${t.name}") in ${t.script ?? "its script"} or chain ` +
          `\`scripts/stack.ts install --for ${t.name}\` before it`,
      );
    }
  }
  return out;
}

Deno.test("every task installs every component it starts or runs, before it starts", async () => {
  assert.deepEqual(await problems(TASK_NEEDS), []);
});

Deno.test("the check fails with the task and the missing component", async () => {
  const broken = { ...TASK_NEEDS, batch: { stages: [] as [], talksTo: "nothing" } };
  const found = await problems(broken);
  assert.ok(
    found.some((p) =>
      /^task batch runs component spark \(in scripts\/lib\/spark\/driver\.ts\)/.test(p)
    ),
    found.join("\n"),
  );
  const { pipeline: _, ...undeclared } = TASK_NEEDS;
  assert.ok((await problems(undeclared)).includes("task pipeline is not declared in TASK_NEEDS"));
});

Deno.test("a task's components come in install order, each once", () => {
  assert.deepEqual(componentsFor("dag:test").map((c) => c.name), [
    "spark",
    "spark_connect",
    "airflow",
  ]);
  assert.throws(() => componentsFor("nope"), /Task "nope" declares nothing/);
});
