/**
 * How long the soak runs: `--soak-minutes N` after `--` on the test command line
 * (`deno task test:faults -- --soak-minutes 10`), else `PIPELINE_SOAK_MINUTES`, else 2.
 *
 * @module
 */

/** Minutes of the soak when nothing says otherwise (what CI runs). */
export const DEFAULT_SOAK_MINUTES = 2;

/**
 * The soak's minutes from the test's arguments and environment; a fraction is allowed (a quick
 * local check), anything else than a positive number throws naming where it came from.
 *
 * @example
 * ```ts
 * soakMinutes(["--soak-minutes", "10"], new Map()); // 10
 * soakMinutes([], new Map([["PIPELINE_SOAK_MINUTES", "5"]])); // 5
 * ```
 */
export function soakMinutes(
  args: string[],
  env: { get(key: string): string | undefined },
): number {
  let raw: string | undefined;
  let from = "";
  for (let i = 0; i < args.length; i++) {
    const m = /^--soak-minutes(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    raw = m[1] ?? args[i + 1] ?? "";
    from = "--soak-minutes";
  }
  if (raw === undefined) {
    raw = env.get("PIPELINE_SOAK_MINUTES");
    from = "PIPELINE_SOAK_MINUTES";
    if (raw === undefined || raw === "") return DEFAULT_SOAK_MINUTES;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || raw.trim() === "") {
    throw new Error(
      `Invalid ${from} ${JSON.stringify(raw)}: expected minutes above 0, as in ` +
        "`deno task test:faults -- --soak-minutes 10`",
    );
  }
  return n;
}
