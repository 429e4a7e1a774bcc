/**
 * The API gateway (`scripts/api.ts`) as a child process for one user id on a free port: the
 * fault tests and the stream bench run their own, apart from the stack's.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { type Child, startChild } from "../stack/child.ts";

/** The API gateway as a child process. */
export interface ApiChild extends Child {
  /** Base URL, such as `http://127.0.0.1:40123`. */
  url: string;
}

/**
 * Starts the API gateway (`scripts/api.ts --port 0`) for the test's user id, so it accepts the
 * test's topics and streams, on a free port; resolves once it listens.
 */
export async function startApiChild(cfg: Config): Promise<ApiChild> {
  const child = await startChild(cfg, "scripts/api.ts", ["--port", "0"], {
    ready: /^API gateway on (http:\/\/\S+) /,
  });
  const url = child.match![1];
  const health = await fetch(`${url}/healthy`);
  await health.body?.cancel();
  if (!health.ok) {
    await child.stop();
    throw new Error(`The API child at ${url} is not healthy (${health.status})`);
  }
  return { ...child, url };
}
