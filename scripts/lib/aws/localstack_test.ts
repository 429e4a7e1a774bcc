import assert from "node:assert/strict";
import { repoPath } from "../core/paths.ts";
import { loadConfig } from "../core/config.ts";
import { stackContext } from "../stack/context.ts";
import { LOCALSTACK_URL, localstackDirs, localstackEnv } from "./localstack.ts";

const PRELOAD = repoPath("stack/localstack/bind-loopback.cjs");

/** The address a node server gets for `listen(...args)` with the preload in. */
async function listenedOn(args: string): Promise<string> {
  const script = `const s = require("node:net").createServer();
s.listen(${args}, () => { console.log(s.address().address); s.close(); });`;
  const out = await new Deno.Command("node", {
    args: ["--require", PRELOAD, "-e", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("the preload makes every wildcard or missing listen address 127.0.0.1", async () => {
  for (
    const args of ["0", '0, "0.0.0.0"', '0, "::"', "{ port: 0 }", '{ port: 0, host: "0.0.0.0" }']
  ) {
    assert.equal(await listenedOn(args), "127.0.0.1", args);
  }
  // A chosen address stays.
  assert.equal(await listenedOn('0, "127.0.0.2"'), "127.0.0.2");
});

Deno.test("LocalStack is told it is not in a container, and keeps its files in the state dir", async () => {
  const ctx = await stackContext(await loadConfig({ env: {} }));
  const env = localstackEnv(ctx);
  assert.deepEqual(
    {
      GATEWAY_LISTEN: env.GATEWAY_LISTEN,
      LOCALSTACK_HOST: env.LOCALSTACK_HOST,
      OVERRIDE_IN_DOCKER: env.OVERRIDE_IN_DOCKER,
      DOCKER_BRIDGE_IP: env.DOCKER_BRIDGE_IP,
      DNS_ADDRESS: env.DNS_ADDRESS,
      DISABLE_EVENTS: env.DISABLE_EVENTS,
      SKIP_SSL_CERT_DOWNLOAD: env.SKIP_SSL_CERT_DOWNLOAD,
    },
    {
      GATEWAY_LISTEN: "127.0.0.1:4566",
      LOCALSTACK_HOST: "127.0.0.1:4566",
      OVERRIDE_IN_DOCKER: "0",
      DOCKER_BRIDGE_IP: "127.0.0.1",
      DNS_ADDRESS: "0",
      DISABLE_EVENTS: "1",
      SKIP_SSL_CERT_DOWNLOAD: "1",
    },
  );
  for (const key of ["LOCALSTACK_VOLUME_DIR", "CONFIG_DIR", "HOME", "FILESYSTEM_ROOT"]) {
    assert.ok(env[key].startsWith(`${ctx.cfg.stateDir}/localstack/`), `${key}=${env[key]}`);
  }
  assert.ok(env.NODE_OPTIONS.includes(PRELOAD));
  assert.equal(LOCALSTACK_URL, "http://127.0.0.1:4566");
  assert.ok(localstackDirs(ctx).pid.startsWith(ctx.cfg.stateDir));
});
