/**
 * Reads stack/versions.yaml, the single file where every pinned version of the stack lives.
 *
 * @module
 */
import { parse } from "yaml";

/** Pinned versions, by component. */
export interface Versions {
  file: string;
  /** A string setting of a component; throws naming the file when it is missing. */
  get(component: string, key: string): string;
  /** A list setting of a component. */
  list(component: string, key: string): string[];
}

/** Loads and wraps the versions file. */
export async function loadVersions(file: string): Promise<Versions> {
  let doc: Record<string, Record<string, unknown>>;
  try {
    doc = parse(await Deno.readTextFile(file)) ?? {};
  } catch (e) {
    throw new Error(`Cannot read pinned versions ${file}: ${(e as Error).message}`);
  }
  const value = (component: string, key: string) => {
    const v = doc[component]?.[key];
    if (v === undefined || v === null || v === "") {
      throw new Error(`Invalid versions file ${file}: ${component}.${key} is missing`);
    }
    return v;
  };
  return {
    file,
    get: (c, k) => String(value(c, k)),
    list: (c, k) => {
      const v = value(c, k);
      if (!Array.isArray(v)) {
        throw new Error(`Invalid versions file ${file}: ${c}.${k} must be a list`);
      }
      return v.map(String);
    },
  };
}
