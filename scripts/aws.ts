/**
 * `deno task aws:<synth|diff|deploy|destroy|localstack>`: the AWS deployment as a CDK app
 * (scripts/lib/aws, docs/aws.md), built from the aws profile of pipeline.yaml.
 *
 * - `synth`: the two stacks' templates, offline, into `<state>/aws/cdk.out`.
 * - `diff`, `deploy`, `destroy`: the CDK CLI against your AWS account (AWS_PROFILE or keys);
 *   `deploy` writes the outputs into the aws profile's file (aws-outputs.env, git-ignored).
 * - `localstack [--down]`: the same stacks deployed to LocalStack on 127.0.0.1:4566, beside the
 *   local stack (its Kafka, REST proxy and MariaDB); `--down` stops the LocalStack it started.
 *
 * @module
 */
import { main, parseFlags } from "./lib/core/cli.ts";
import { awsOutputsFile, loadConfig } from "./lib/core/config.ts";
import { stackContext } from "./lib/stack/context.ts";
import { installFor } from "./lib/stack/needs.ts";
import { up } from "./lib/stack/stack.ts";
import { appInputs, synthesize } from "./lib/aws/synth.ts";
import { runCdk } from "./lib/aws/cdk_cli.ts";
import { deployStacks, destroyStacks, profileLines } from "./lib/aws/deploy.ts";
import { startLocalstack, stopLocalstack } from "./lib/aws/localstack.ts";
import { deployToLocalstack } from "./lib/aws/localstack_deploy.ts";

const USAGE = "deno task aws:<synth|diff|deploy|destroy|localstack> [--down]";

/** The local services the LocalStack deployment forwards to. */
export const LOCALSTACK_NEEDS = ["mariadb", "kafka", "rest_proxy"];

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseFlags(Deno.args, { down: { type: "boolean" } }, USAGE);
    const [command, ...rest] = positionals;
    if (rest.length || !["synth", "diff", "deploy", "destroy", "localstack"].includes(command)) {
      throw new Error(`Unknown command ${JSON.stringify(positionals.join(" "))}\nUsage: ${USAGE}`);
    }
    const cfg = await loadConfig({ profile: "aws" });
    const ctx = await stackContext(cfg);

    if (command === "localstack") {
      const localCtx = await stackContext(await loadConfig({ profile: "local" }));
      if (values.down) {
        console.log(
          (await stopLocalstack(localCtx)) ? "✔ LocalStack stopped" : "LocalStack was not running",
        );
        return;
      }
      await installFor(localCtx, "aws:localstack");
      await up(localCtx, LOCALSTACK_NEEDS);
      console.log("  Waiting up to 90 s for LocalStack on 127.0.0.1:4566...");
      const ls = await startLocalstack(localCtx);
      console.log(`✔ LocalStack ${ls.started ? "started" : "already running"} (pid ${ls.pid})`);
      const d = await deployToLocalstack(ctx, localCtx.cfg);
      console.log(
        `✔ bootstrapped in ${d.seconds.bootstrap.toFixed(1)} s, deployed both stacks in ` +
          `${d.seconds.deploy.toFixed(1)} s`,
      );
      console.log(`✔ API ${d.apiUrl}\n✔ aws profile written to ${d.profileFile}`);
      console.log(
        `  Run the aws profile against it: PIPELINE_PROFILE=aws PIPELINE_AWS_OUTPUTS=${d.profileFile} ` +
          "deno task emulate:stream --count 10",
      );
      return;
    }

    const t0 = performance.now();
    const syn = await synthesize(await appInputs(ctx));
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const stacks = Object.keys(syn.templates);
    const run = { versions: ctx.versions, assembly: syn.assembly };
    if (command === "synth") {
      console.log(
        `✔ synthesized ${stacks.length} stacks in ${seconds} s (CloudFormation rules, cdk-nag AwsSolutions)`,
      );
      for (const [name, file] of Object.entries(syn.templates)) console.log(`  ${name}: ${file}`);
    } else if (command === "diff") {
      await runCdk(["diff", ...stacks], run);
    } else if (command === "destroy") {
      await destroyStacks(syn, ctx.versions, { kind: "aws", env: {} });
      console.log(`✔ destroyed ${stacks.join(", ")} (the buckets and a final DB snapshot stay)`);
    } else {
      const outputs = await deployStacks(syn, ctx.versions, { kind: "aws", env: {} });
      const file = awsOutputsFile(Deno.env.toObject());
      await Deno.writeTextFile(file, profileLines(outputs, cfg.region) + "\n", { mode: 0o600 });
      console.log(`✔ deployed ${stacks.join(", ")}; the aws profile now reads ${file}`);
    }
  });
}
