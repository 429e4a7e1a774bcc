/**
 * The context every install and service works in: the config, the pinned versions, and the
 * cache, data, log and run directories (created on first use).
 *
 * @module
 */
import { type Config, loadConfig } from "../core/config.ts";
import type { StackContext } from "./component.ts";
import { loadVersions } from "./versions.ts";

/** Builds the context of a config: directories under the cache and state dirs. */
export async function stackContext(cfg?: Config): Promise<StackContext> {
  cfg ??= await loadConfig();
  const versions = await loadVersions(`${cfg.root}/stack/versions.yaml`);
  const c = cfg;
  for (const d of ["logs", "run", "data"]) {
    await Deno.mkdir(`${c.stateDir}/${d}`, { recursive: true });
  }
  await Deno.mkdir(c.cacheDir, { recursive: true });
  return {
    cfg: c,
    versions,
    cache: (name) => `${c.cacheDir}/${name}`,
    data: (name) => `${c.stateDir}/data/${name}`,
    log: (file) => `${c.stateDir}/logs/${file}`,
    run: (file) => `${c.stateDir}/run/${file}`,
  };
}
