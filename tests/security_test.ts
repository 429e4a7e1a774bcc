/**
 * Security of the local stack (issue #19), checked on the running stack, not in its config:
 * every socket a service of the stack listens on (its whole session: a JVM's or a server's
 * children too) is bound to the loopback, as the kernel reports it; the generated secrets file is
 * readable by its owner only; and no generated secret appears in any log under the state
 * directory or in a committed notebook's outputs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isLoopback, listeners } from "../scripts/lib/stack/listeners.ts";
import { sessionPids } from "../scripts/lib/stack/session.ts";
import { readPid } from "../scripts/lib/stack/process.ts";
import { SERVICES } from "../scripts/lib/stack/registry.ts";
import { pidFile, serviceState } from "../scripts/lib/stack/service.ts";
import { down } from "../scripts/lib/stack/stack.ts";
import { connectServer } from "../scripts/lib/spark/engine.ts";
import { localSecrets } from "../scripts/lib/core/secrets.ts";
import { REPO_ROOT } from "../scripts/lib/core/paths.ts";
import { loadConfig } from "../scripts/lib/core/config.ts";
import { startStack } from "./harness.ts";

/** Every file under `dir`, recursively (a missing dir is empty). */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) out.push(...await files(path));
      else if (e.isFile) out.push(path);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** The text a notebook shows as outputs: every output of every code cell. */
function notebookOutputs(ipynb: string): string {
  const nb = JSON.parse(ipynb) as { cells: { outputs?: unknown[] }[] };
  return nb.cells.flatMap((c) => c.outputs ?? []).map((o) => JSON.stringify(o)).join("\n");
}

Deno.test({
  name: "security: every listener of the stack is on the loopback, as the kernel reports it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const stack = await startStack();
    // The opt-in Spark Connect server listens too: started for the check if it is not running.
    const [server] = SERVICES.filter((s) => s.onDemand);
    const serverWasUp = (await serviceState(stack.ctx, server)).state === "healthy";
    try {
      if (!serverWasUp) await connectServer(stack.ctx);
      const sockets = await listeners();
      const bad: string[] = [];
      for (const s of SERVICES) {
        const rec = (await readPid(pidFile(stack.ctx, s)))!;
        const pids = new Set([rec.pid, ...await sessionPids(rec.pid)]);
        const own = sockets.filter((l) => l.pids.some((p) => pids.has(p)));
        // Not vacuous: each service is seen listening on every port the stack gives it.
        for (const name of s.ports) {
          const port = stack.cfg.stack.ports[name];
          assert.ok(
            own.some((l) => l.port === port),
            `${s.title} is not seen listening on ${port}: ${JSON.stringify(own)}`,
          );
        }
        for (const l of own.filter((l) => !isLoopback(l.address))) {
          bad.push(`${s.title}: ${l.proto} ${l.address}:${l.port} (pids ${l.pids.join(", ")})`);
        }
      }
      assert.deepEqual(bad, [], `listeners off the loopback:\n${bad.join("\n")}`);
    } finally {
      if (!serverWasUp) await down(stack.ctx, { only: [server.name] });
      await stack.release();
    }
  },
});

Deno.test("security: the generated secrets file is readable by its owner only", async () => {
  const { stateDir } = await loadConfig();
  const file = `${stateDir}/secrets.json`;
  await localSecrets(stateDir);
  const mode = (await Deno.stat(file)).mode! & 0o777;
  assert.equal(mode.toString(8), "600", `${file} has mode ${mode.toString(8)}`);
});

Deno.test({
  name: "security: no generated secret in a log under the state dir or a notebook's outputs",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The stack running, so its services have written their logs with these secrets in use.
    const stack = await startStack();
    try {
      const secrets = Object.entries(await localSecrets(stack.cfg.stateDir));
      const state = stack.cfg.stateDir;
      // Service data is not a log (Kafka's segments end in .log too).
      const logs = (await files(state)).filter((f) =>
        !f.startsWith(`${state}/data/`) &&
        (f.startsWith(`${state}/logs/`) || /\.(log|out|err)$/.test(f))
      );
      assert.ok(logs.length >= SERVICES.length, `only ${logs.length} logs under the state dir`);
      const notebooks = (await files(`${REPO_ROOT}/notebooks`)).filter((f) => f.endsWith(".ipynb"));
      assert.ok(notebooks.length > 0, "no committed notebook found");
      const leaks: string[] = [];
      const look = (where: string, text: string) => {
        for (const [name, value] of secrets) {
          if (text.includes(value)) leaks.push(`${name} in ${where}`);
        }
        // The shape of a generated S3 access key, whoever's run wrote the outputs.
        const key = /\bpipeline[0-9a-f]{8}\b/.exec(text);
        if (key) leaks.push(`an access key (${key[0]}) in ${where}`);
      };
      for (const f of logs) look(f, await Deno.readTextFile(f));
      for (const f of notebooks) look(f, notebookOutputs(await Deno.readTextFile(f)));
      assert.deepEqual(leaks, [], leaks.join("\n"));
    } finally {
      await stack.release();
    }
  },
});
