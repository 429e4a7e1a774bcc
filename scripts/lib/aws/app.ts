/**
 * The CDK app of the AWS deployment: the base and services stacks of one user id, named by
 * names.ts, built from the aws profile of `pipeline.yaml` and the API document, with CDK's own
 * CloudFormation validation and the cdk-nag AwsSolutions checks applied at synth.
 *
 * @module
 */
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { BaseStack, type PipelineInputs, ServicesStack } from "./stacks.ts";
import { suppressFindings } from "./nag.ts";

/** The app and its stacks. */
export interface PipelineApp {
  app: App;
  base: BaseStack;
  services: ServicesStack;
}

/**
 * Builds (does not synthesize) the app.
 *
 * @example
 * ```ts ignore
 * const { app } = buildApp(inputs, { outdir: "cdk.out" });
 * app.synth();
 * ```
 */
export function buildApp(inputs: PipelineInputs, opts: { outdir?: string } = {}): PipelineApp {
  const app = new App({
    outdir: opts.outdir,
    context: {
      "@aws-cdk/core:validateAgainstDefaultRules": true,
      // The services stack imports the base stack's values: base cannot drop one still in use.
      "@aws-cdk/core:defaultCrossStackReferences": "strong",
    },
  });
  const env = { account: Deno.env.get("CDK_DEFAULT_ACCOUNT"), region: inputs.cfg.region };
  const n = inputs.cfg.names.aws.stacks;
  const base = new BaseStack(app, n.base, inputs, { env, stackName: n.base });
  const services = new ServicesStack(app, n.services, inputs, base, {
    env,
    stackName: n.services,
  });
  suppressFindings({ region: inputs.cfg.region, names: inputs.cfg.names }, base, services);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, base, services };
}
