/**
 * The AWS CDK CLI (npm `aws-cdk`, pinned in stack/versions.yaml), run by Deno on an assembly the
 * app synthesized in-process, with its telemetry off.
 *
 * @module
 */
import type { Versions } from "../stack/versions.ts";

/** What a CLI run needs besides its arguments. */
export interface CdkRun {
  versions: Versions;
  /** The cloud assembly (`--app <dir>`). */
  assembly: string;
  /** Extra environment: the LocalStack endpoints and credentials, or AWS_PROFILE. */
  env?: Record<string, string>;
  /** Collect stdout instead of passing it through. */
  quiet?: boolean;
}

/**
 * The CLI's environment: telemetry and version checks off, plus the caller's.
 *
 * @example
 * ```ts
 * import { cdkEnv } from "./cdk_cli.ts";
 * cdkEnv({ AWS_REGION: "us-east-1" }).CDK_DISABLE_CLI_TELEMETRY; // "true"
 * ```
 */
export function cdkEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { CDK_DISABLE_CLI_TELEMETRY: "true", CDK_DISABLE_VERSION_CHECK: "true", ...extra };
}

/**
 * Runs `cdk <args> --app <assembly>`; throws naming the command when it fails.
 *
 * @example
 * ```ts ignore
 * await runCdk(["deploy", "pinterest-0a1b2c3d4e5f-base", "--require-approval", "never"], run);
 * ```
 */
export async function runCdk(args: string[], run: CdkRun): Promise<string> {
  const cmd = [
    "run",
    "-A",
    `npm:aws-cdk@${run.versions.get("aws_cdk", "cli")}`,
    ...args,
    "--app",
    run.assembly,
    "--no-notices",
  ];
  const out = await new Deno.Command(Deno.execPath(), {
    args: cmd,
    env: cdkEnv(run.env),
    stdout: run.quiet ? "piped" : "inherit",
    stderr: run.quiet ? "piped" : "inherit",
  }).output();
  const text = run.quiet ? new TextDecoder().decode(out.stdout) : "";
  if (!out.success) {
    const err = run.quiet ? `: ${new TextDecoder().decode(out.stderr).trim().slice(-2000)}` : "";
    throw new Error(`cdk ${args.join(" ")} failed (exit ${out.code})${err}`);
  }
  return text;
}
