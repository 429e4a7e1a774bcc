/**
 * LocalStack in host mode (no Docker), the AWS stand-in the deployment is really deployed to in
 * `deno task aws:localstack` and `deno task test`: started from the AWS tools' venv on
 * 127.0.0.1:4566 only, every directory it writes under the state directory, and stopped through
 * its pid file like every other service of the stack.
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { awsTools, awsToolsPaths } from "../stack/services/aws_tools.ts";
import { isAlive, readPid, startDetached, stopByPidFile, tail } from "../stack/process.ts";
import { repoPath } from "../core/paths.ts";
import { waitFor } from "../core/time.ts";

/** Components this module runs (read by stack/needs_test.ts). */
export const RUNS = [awsTools] as const;

/** LocalStack's one address: its gateway for every AWS API. */
export const LOCALSTACK = { host: "127.0.0.1", port: 4566 } as const;

/** The gateway's URL. */
export const LOCALSTACK_URL = `http://${LOCALSTACK.host}:${LOCALSTACK.port}`;

/** Credentials LocalStack accepts (it checks none; account 000000000000). */
export const LOCALSTACK_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
} as const;

/**
 * Where LocalStack's files go: all under `<state>/localstack`.
 *
 * @example
 * ```ts ignore
 * localstackDirs(ctx).volume; // "<state>/localstack/volume"
 * ```
 */
export function localstackDirs(ctx: StackContext) {
  const base = `${ctx.cfg.stateDir}/localstack`;
  return {
    base,
    volume: `${base}/volume`,
    config: `${base}/config`,
    home: `${base}/home`,
    filesystem: `${base}/fs`,
    /** Where LocalStack looks for packages installed ahead (its `/usr/lib/localstack`). */
    staticLibs: `${base}/fs/usr/lib/localstack`,
    log: ctx.log("localstack.log"),
    pid: ctx.run("localstack.pid"),
  };
}

/**
 * The environment LocalStack runs with. The first four keep it from believing it runs in a
 * container (it would then pick a private-range address); the rest keep it on this machine and
 * its files in the state directory. Twisted, its default server, ignores the listen address:
 * hypercorn binds the one given.
 *
 * @example
 * ```ts ignore
 * localstackEnv(ctx).GATEWAY_LISTEN; // "127.0.0.1:4566"
 * ```
 */
export function localstackEnv(ctx: StackContext): Record<string, string> {
  const d = localstackDirs(ctx);
  const listen = `${LOCALSTACK.host}:${LOCALSTACK.port}`;
  return {
    GATEWAY_LISTEN: listen,
    LOCALSTACK_HOST: listen,
    OVERRIDE_IN_DOCKER: "0",
    DOCKER_BRIDGE_IP: "127.0.0.1",
    DNS_ADDRESS: "0",
    DISABLE_EVENTS: "1",
    SKIP_SSL_CERT_DOWNLOAD: "1",
    GATEWAY_SERVER: "hypercorn",
    // MSK, MSK Connect, MWAA and RDS are accepted without being created (LocalStack's default
    // today, which it says will change).
    CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES: "1",
    KINESIS_MOCK_VERSION: awsToolsPaths(ctx).kinesisMockVersion,
    LOCALSTACK_VOLUME_DIR: d.volume,
    CONFIG_DIR: d.config,
    HOME: d.home,
    FILESYSTEM_ROOT: d.filesystem,
    NODE_OPTIONS: `--require ${repoPath("stack/localstack/bind-loopback.cjs")}`,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  };
}

/**
 * True when LocalStack's gateway answers its health check.
 *
 * @example
 * ```ts ignore
 * await localstackHealthy(); // false when nothing answers on 127.0.0.1:4566
 * ```
 */
export async function localstackHealthy(): Promise<boolean> {
  try {
    const res = await fetch(`${LOCALSTACK_URL}/_localstack/health`, {
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** What {@linkcode startLocalstack} did. */
export interface LocalstackStart {
  /** False when a LocalStack we started before was already running. */
  started: boolean;
  pid: number;
}

/**
 * Starts LocalStack (the AWS tools must be installed) and waits until it answers; a LocalStack
 * of ours already running is reused.
 *
 * @example
 * ```ts ignore
 * const { started } = await startLocalstack(ctx);
 * // ... deploy, test ...
 * if (started) await stopLocalstack(ctx);
 * ```
 */
export async function startLocalstack(ctx: StackContext, timeoutS = 90): Promise<LocalstackStart> {
  const d = localstackDirs(ctx);
  const rec = await readPid(d.pid);
  if (await isAlive(rec) && await localstackHealthy()) return { started: false, pid: rec!.pid };
  if (await localstackHealthy()) {
    throw new Error(
      `Cannot start LocalStack: ${LOCALSTACK_URL} already answers and is not ours (no live ` +
        `${d.pid}); stop that LocalStack first`,
    );
  }
  for (const dir of [d.volume, d.config, d.home, d.staticLibs]) {
    await Deno.mkdir(dir, { recursive: true });
  }
  // LocalStack looks for its packages in its static libraries first: ours, installed with it.
  const kinesisMock = `${d.staticLibs}/kinesis-local`;
  await Deno.remove(kinesisMock, { recursive: true }).catch(() => {});
  await Deno.symlink(awsToolsPaths(ctx).kinesisMock, kinesisMock);
  const started = await startDetached(
    {
      cmd: [awsToolsPaths(ctx).python, "-m", "localstack.runtime.main"],
      env: localstackEnv(ctx),
      cwd: d.base,
    },
    d.log,
    d.pid,
  );
  await waitFor(localstackHealthy, {
    timeoutMs: timeoutS * 1000,
    intervalMs: 500,
    timeoutError: async () => {
      await stopByPidFile(d.pid);
      return new Error(
        `LocalStack did not answer on ${LOCALSTACK_URL} within ${timeoutS} s; see ${d.log}:\n` +
          await tail(d.log, 20),
      );
    },
  });
  return { started: true, pid: started.pid };
}

/**
 * Stops the LocalStack we started (by its pid file); false when none was running.
 *
 * @example
 * ```ts ignore
 * await stopLocalstack(ctx); // true: "it was ours and is stopped"
 * ```
 */
export async function stopLocalstack(ctx: StackContext): Promise<boolean> {
  return await stopByPidFile(localstackDirs(ctx).pid);
}
