/**
 * The AWS deployment's tools in one cached venv on Python 3.13 from stack/aws-tools-lock.txt:
 * cfn-lint, which lints the synthesized templates offline, and LocalStack (`localstack-core`,
 * host mode, no Docker), which the deploy test runs a real `cdk deploy` against.
 *
 * @module
 */
import type { Component, StackContext } from "../component.ts";
import { installOnce, isStamped, step } from "../install.ts";
import { findPython313 } from "../preconditions.ts";
import { checkLockPins, fileHash, installVenv } from "./python_venv.ts";

const v = (ctx: StackContext, k: string) => ctx.versions.get("aws_tools", k);
const dir = (ctx: StackContext) => ctx.cache(`aws-tools-${v(ctx, "localstack")}`);
const lock = (ctx: StackContext) => `${ctx.cfg.root}/${v(ctx, "lock")}`;
const stamp = async (ctx: StackContext) =>
  `localstack ${v(ctx, "localstack")} cfn-lint ${v(ctx, "cfn_lint")} kinesis-mock ${
    v(ctx, "kinesis_mock")
  } lock ${await fileHash(lock(ctx))}`;

/**
 * Commands of the installed venv.
 *
 * @example
 * ```ts ignore
 * awsToolsPaths(ctx).cfnLint; // "<cache>/aws-tools-2026.3.0/venv/bin/cfn-lint"
 * ```
 */
export function awsToolsPaths(ctx: StackContext) {
  const venv = `${dir(ctx)}/venv`;
  return {
    venv,
    python: `${venv}/bin/python`,
    cfnLint: `${venv}/bin/cfn-lint`,
    /** LocalStack's package directory of kinesis-mock: `<this>/<version>/node_modules/...`. */
    kinesisMock: `${dir(ctx)}/kinesis-local`,
    kinesisMockVersion: v(ctx, "kinesis_mock"),
  };
}

/** The AWS tools component (installed by `deno task test` and the aws tasks that need it). */
export const awsTools: Component = {
  name: "aws_tools",
  title: "cfn-lint + LocalStack (AWS tools)",
  // ss: installed with the test-only tools, for the tests' loopback checks (tests/security_test.ts).
  requires: ["python313", "node", "ss"],
  diskMiB: 300,
  version: (ctx) => `localstack ${v(ctx, "localstack")} / cfn-lint ${v(ctx, "cfn_lint")}`,
  installed: async (ctx) => await isStamped(dir(ctx), await stamp(ctx)),
  async install(ctx) {
    await checkLockPins(lock(ctx), {
      "localstack-core": v(ctx, "localstack"),
      "cfn-lint": v(ctx, "cfn_lint"),
    });
    const { path, tried } = await findPython313();
    if (!path) throw new Error(`no Python 3.13 with venv found (${tried.join("; ")})`);
    await installOnce(dir(ctx), await stamp(ctx), async () => {
      await installVenv(ctx, "aws_tools", `${dir(ctx)}/venv`, lock(ctx), path);
      const version = v(ctx, "kinesis_mock");
      await step(
        { component: "aws_tools", logFile: ctx.log("install-aws_tools.log") },
        `npm install kinesis-local@${version} (LocalStack's Kinesis)`,
        [
          "npm",
          "install",
          "--prefix",
          `${awsToolsPaths(ctx).kinesisMock}/${version}`,
          "--no-audit",
          "--no-fund",
          `kinesis-local@${version}`,
        ],
      );
    });
  },
};
