/**
 * Reads a `.env` file of `KEY=value` lines. A missing file is an empty environment.
 *
 * @module
 */

/**
 * Parses `.env` text: `KEY=value` per line, `#` comments, optional single or double quotes.
 *
 * @example
 * ```ts
 * parseDotEnv("A=1\n# note\nB='two'"); // { A: "1", B: "two" }
 * ```
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      throw new Error(
        `Invalid .env line ${i + 1}: expected KEY=value, got ${JSON.stringify(line)}`,
      );
    }
    let value = m[2];
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
    }
    if (value !== "") out[m[1]] = value;
  }
  return out;
}

/** Reads and parses a `.env` file; returns `{}` when it does not exist. */
export async function readDotEnv(path: string): Promise<Record<string, string>> {
  try {
    return parseDotEnv(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    if (e instanceof Error && e.message.startsWith("Invalid .env")) {
      throw new Error(`${e.message} in ${path}`);
    }
    throw e;
  }
}
