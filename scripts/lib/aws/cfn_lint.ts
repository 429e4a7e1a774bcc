/**
 * cfn-lint (from the AWS tools' venv) over synthesized templates, offline: the specification it
 * checks against ships inside the package.
 *
 * @module
 */
import type { StackContext } from "../stack/component.ts";
import { awsTools, awsToolsPaths } from "../stack/services/aws_tools.ts";

/** Components this module runs (read by stack/needs_test.ts). */
export const RUNS = [awsTools] as const;

/** One cfn-lint finding. */
export interface LintFinding {
  /** E (error), W (warning) or I (informational), then the rule number: `E3012`. */
  rule: string;
  level: "Error" | "Warning" | "Informational";
  message: string;
  file: string;
  line: number;
}

/**
 * Lints templates for a region; resolves with every finding (errors fail the caller's check).
 *
 * @example
 * ```ts ignore
 * const findings = await cfnLint(ctx, ["cdk.out/base.template.json"], "us-east-1");
 * findings.filter((f) => f.level === "Error"); // []
 * ```
 */
export async function cfnLint(
  ctx: StackContext,
  templates: string[],
  region: string,
): Promise<LintFinding[]> {
  const out = await new Deno.Command(awsToolsPaths(ctx).cfnLint, {
    args: ["--format", "json", "--regions", region, "--", ...templates],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  // Exit codes are a bit mask of the levels found (2 errors, 4 warnings, 8 informational); 1 is
  // cfn-lint itself failing.
  if (out.code === 1 || !text.trim().startsWith("[")) {
    throw new Error(
      `cfn-lint failed on ${templates.join(", ")}: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return (JSON.parse(text) as {
    Rule: { Id: string };
    Level: LintFinding["level"];
    Message: string;
    Filename: string;
    Location: { Start: { LineNumber: number } };
  }[]).map((f) => ({
    rule: f.Rule.Id,
    level: f.Level,
    message: f.Message,
    file: f.Filename,
    line: f.Location.Start.LineNumber,
  }));
}
