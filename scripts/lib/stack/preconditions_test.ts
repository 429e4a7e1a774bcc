import assert from "node:assert/strict";
import type { Component, StackContext } from "./component.ts";
import {
  atLeast,
  checkPreconditions,
  ensurePreconditions,
  PreconditionError,
  versionIn,
} from "./preconditions.ts";

function component(name: string, requires: Component["requires"], diskMiB = 0): Component {
  return {
    name,
    title: name,
    requires,
    diskMiB,
    version: () => "1",
    installed: () => Promise.resolve(false),
    install: () => Promise.resolve(),
  };
}

async function context(cacheDir: string): Promise<StackContext> {
  const state = await Deno.makeTempDir({ prefix: "prereq-" });
  await Deno.mkdir(`${state}/logs`);
  return {
    cfg: { cacheDir, stateDir: state } as unknown as StackContext["cfg"],
    versions: { file: "", get: () => "1", list: () => [] },
    cache: (n) => `${cacheDir}/${n}`,
    data: (n) => `${state}/data/${n}`,
    log: (f) => `${state}/logs/${f}`,
    run: (f) => `${state}/run/${f}`,
  };
}

Deno.test("versions are read from what the tools print and compared part by part", () => {
  assert.deepEqual(versionIn('openjdk version "17.0.15" 2025-04-15'), [17, 0, 15]);
  assert.deepEqual(versionIn("Apache Maven 3.8.7 (Debian)"), [3, 8, 7]);
  assert.equal(versionIn("no digits"), undefined);
  assert.ok(atLeast([1, 26, 8], [1, 21]));
  assert.ok(atLeast([3, 11], [3, 11, 0]));
  assert.ok(!atLeast([3, 10, 12], [3, 11]));
});

Deno.test("a machine without the tools gets one error naming each and its fix, before any install", async () => {
  const empty = await Deno.makeTempDir({ prefix: "no-tools-" });
  const path = Deno.env.get("PATH")!;
  const python = Deno.env.get("PIPELINE_PYTHON");
  Deno.env.set("PATH", empty);
  Deno.env.set("PIPELINE_PYTHON", `${empty}/python3`);
  let installed = 0;
  const needs = [
    { ...component("kafka", ["java", "maven"]), install: () => Promise.resolve(void installed++) },
    component("airflow", ["python"]),
  ];
  try {
    const ctx = await context(empty);
    const rows = await checkPreconditions(ctx, needs);
    assert.deepEqual(rows.map((r) => [r.requirement, r.found.ok]), [
      ["java", false],
      ["maven", false],
      ["python", false],
    ]);
    await assert.rejects(() => ensurePreconditions(ctx, needs), (e: Error) => {
      assert.ok(e instanceof PreconditionError);
      assert.match(e.message, /^Cannot install kafka, airflow: this machine lacks Java 17\+/);
      assert.match(e.message, /Maven 3 .*: apt-get install maven/);
      assert.match(e.message, /Python 3\.11-3\.12 with venv.*PIPELINE_PYTHON/);
      assert.match(e.message, /Nothing was downloaded/);
      return true;
    });
    assert.equal(installed, 0);
  } finally {
    Deno.env.set("PATH", path);
    if (python === undefined) Deno.env.delete("PIPELINE_PYTHON");
    else Deno.env.set("PIPELINE_PYTHON", python);
  }
});

Deno.test("free disk is checked against what the missing components take", async () => {
  const ctx = await context(`${await Deno.makeTempDir()}/not/yet/made`);
  const [fits] = await checkPreconditions(ctx, [component("small", [], 1)]);
  assert.equal(fits.requirement, "disk");
  assert.ok(fits.found.ok, fits.found.detail);
  const [huge] = await checkPreconditions(ctx, [component("huge", [], 1e9)]);
  assert.equal(huge.found.ok, false);
  assert.match(huge.found.detail, /GiB free, \d+\.\d GiB needed/);
});
