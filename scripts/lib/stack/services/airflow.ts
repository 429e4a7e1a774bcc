/**
 * Apache Airflow 2.10 in a cached venv from our lock file. Stands in for MWAA.
 *
 * @module
 */
import type { Component, StackContext } from "../component.ts";
import { installOnce, isStamped } from "../install.ts";
import { checkLockPins, fileHash, installVenv } from "./python_venv.ts";

const v = (ctx: StackContext, k: string) => ctx.versions.get("airflow", k);
const dir = (ctx: StackContext) => ctx.cache(`airflow-${v(ctx, "version")}`);
const lock = (ctx: StackContext) => `${ctx.cfg.root}/${v(ctx, "lock")}`;
const stamp = async (ctx: StackContext) =>
  `airflow ${v(ctx, "version")} lock ${await fileHash(lock(ctx))}`;

/** The `airflow` executable of the installed venv. */
export function airflowBin(ctx: StackContext): string {
  return `${dir(ctx)}/venv/bin/airflow`;
}

/** The Airflow component (run by dag:test and `deno task airflow`). */
export const airflow: Component = {
  name: "airflow",
  title: "Apache Airflow",
  requires: ["python"],
  diskMiB: 700,
  version: (ctx) => v(ctx, "version"),
  installed: async (ctx) => isStamped(dir(ctx), await stamp(ctx)),
  async install(ctx) {
    await checkLockPins(lock(ctx), {
      "apache-airflow": v(ctx, "version"),
      "apache-airflow-providers-databricks": v(ctx, "databricks_provider"),
    });
    await installOnce(
      dir(ctx),
      await stamp(ctx),
      () => installVenv(ctx, "airflow", `${dir(ctx)}/venv`, lock(ctx)),
    );
  },
};
