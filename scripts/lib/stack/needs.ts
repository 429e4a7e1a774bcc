/**
 * What each `deno task` needs installed, declared once: the stages it runs, and the components
 * of each stage. Every task installs its set before it starts working ({@linkcode installFor}),
 * so a new machine needs no `stack:install` first; `needs_test.ts` checks, from the import graph
 * of each task, that nothing it starts or runs is missing from its set.
 *
 * @module
 */
import type { Component, StackContext } from "./component.ts";
import { COMPONENTS, UP_SERVICES } from "./registry.ts";
import { install } from "./installer.ts";

/** The pieces of the pipeline a task can run, each with the components it starts or runs. */
export const STAGES = {
  /** The local services `stack:up` starts. */
  stack: UP_SERVICES.map((s) => s.name),
  /** The batch job runs in its own JVM, or on the Spark Connect server (`--engine connect`). */
  batch: ["spark", "spark_connect"],
  stream: ["spark", "spark_kinesis"],
  /** The DAG's tasks run `deno task batch --step ...`. */
  dag: ["airflow", "spark", "spark_connect"],
  notebooks: ["jupyter"],
  /** The JupyterLab browser test drives Debian's Chromium. */
  browser: ["chromium"],
  /** cfn-lint over the synthesized templates, LocalStack for the deploy test. */
  aws: ["aws_tools"],
} as const satisfies Record<string, readonly string[]>;

/** One of {@linkcode STAGES}. */
export type Stage = keyof typeof STAGES;

const ALL_STAGES = Object.keys(STAGES) as Stage[];

/**
 * What a task needs: the stages it runs; or `talksTo` for tasks that only talk to services that
 * are already running (they install nothing and say so when a service is down); or `pureLogic`
 * for the unit tests, which import runner modules for their pure helpers and start nothing.
 */
export type TaskNeeds =
  | { stages: Stage[] }
  | { stages: []; talksTo: string }
  | { stages: []; pureLogic: string };

/** Every task of deno.json and what it needs; `needs_test.ts` fails on a task missing here. */
export const TASK_NEEDS: Record<string, TaskNeeds> = {
  "stack:install": { stages: ALL_STAGES },
  "stack:up": { stages: ["stack"] },
  "stack:status": { stages: [], talksTo: "the running services (pid files, health checks)" },
  "stack:down": { stages: [], talksTo: "the running services (pid files)" },
  "db:seed": { stages: [], talksTo: "MariaDB" },
  "setup-topics": { stages: [], talksTo: "Kafka" },
  "setup-connector": { stages: [], talksTo: "Kafka Connect and MinIO" },
  "setup-streams": { stages: [], talksTo: "Kinesis" },
  "api": { stages: [], talksTo: "the REST proxy and Kinesis" },
  "rest-proxy": { stages: [], talksTo: "Kafka" },
  "emulate": { stages: [], talksTo: "MariaDB and the API" },
  "emulate:stream": { stages: [], talksTo: "MariaDB and the API" },
  "faults:report": { stages: [], talksTo: "the last test:faults results on disk" },
  pipeline: { stages: ["stack", "batch", "stream"] },
  batch: { stages: ["batch"] },
  stream: { stages: ["stream"] },
  "dag:test": { stages: ["dag"] },
  airflow: { stages: ["dag"] },
  notebooks: { stages: ["stack", "batch", "stream", "dag", "notebooks"] },
  jupyter: { stages: ["stack", "batch", "stream", "dag", "notebooks"] },
  bench: { stages: ["stack", "batch", "stream", "dag"] },
  test: { stages: ALL_STAGES },
  "test:unit": {
    stages: [],
    pureLogic: "unit tests import runner modules for their parsers; stack_test starts a fake",
  },
  "test:batch": { stages: ["batch"] },
  "test:airflow": { stages: ["stack", "dag"] },
  /** It compares the stream's tables with the batch job's over the same posts. */
  "test:stream": { stages: ["stack", "stream", "batch"] },
  "test:faults": { stages: ["stack", "batch", "stream", "dag"] },
  "aws:synth": { stages: [], pureLogic: "the CDK app synthesizes in-process; starts nothing" },
  "aws:diff": { stages: [], talksTo: "your AWS account, through the CDK CLI" },
  "aws:deploy": { stages: [], talksTo: "your AWS account, through the CDK CLI" },
  "aws:destroy": { stages: [], talksTo: "your AWS account, through the CDK CLI" },
  "aws:localstack": { stages: ["stack", "aws"] },
};

/**
 * The components a task installs, in install order (each once).
 *
 * @example
 * ```ts
 * import { componentsFor } from "./needs.ts";
 * componentsFor("batch").map((c) => c.name); // ["spark", "spark_connect"]
 * ```
 */
export function componentsFor(
  task: string,
  declared: Record<string, TaskNeeds> = TASK_NEEDS,
): Component[] {
  const needs = declared[task];
  if (!needs) {
    throw new Error(
      `Task "${task}" declares nothing in scripts/lib/stack/needs.ts (TASK_NEEDS): ` +
        "add what it needs there",
    );
  }
  const names = new Set<string>(needs.stages.flatMap((s) => STAGES[s]));
  return COMPONENTS.filter((c) => names.has(c.name));
}

/**
 * Installs what `task` needs (nothing when it is all there), after the machine's preconditions:
 * the first thing each task's script does.
 *
 * @example
 * ```ts ignore
 * import { installFor } from "./needs.ts";
 * import { stackContext } from "./context.ts";
 * await installFor(await stackContext(), "batch"); // "✔ installed: Apache Spark + Delta Lake"
 * ```
 */
export async function installFor(ctx: StackContext, task: string): Promise<void> {
  const components = componentsFor(task);
  if (components.length) await install(ctx, components.map((c) => c.name), { quiet: true });
}
