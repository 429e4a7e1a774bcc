/**
 * Synthesizes the AWS deployment in-process, offline: the aws profile, its deploy settings and
 * the API document in, a cloud assembly with one template per stack out.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { loadApiDocument } from "../api/document.ts";
import type { StackContext } from "../stack/component.ts";
import { sinkPluginDir } from "../stack/services/connect.ts";
import { buildApp, type PipelineApp } from "./app.ts";
import { type DeploySettings, loadDeploySettings } from "./settings.ts";
import type { PipelineInputs } from "./stacks.ts";

/** A synthesized assembly. */
export interface Synthesized {
  /** The assembly directory (`--app` of the CDK CLI). */
  assembly: string;
  /** Template file by stack name, in deploy order. */
  templates: Record<string, string>;
  app: PipelineApp;
  inputs: PipelineInputs;
}

/**
 * Where `deno task aws:synth` writes the assembly: `<state>/aws/cdk.out`.
 *
 * @example
 * ```ts ignore
 * assemblyDir(cfg); // "<state>/aws/cdk.out"
 * ```
 */
export function assemblyDir(cfg: Config): string {
  return `${cfg.stateDir}/aws/cdk.out`;
}

/**
 * The app's inputs for a context: the aws profile `cfg`, its deploy settings, the API document.
 * `restProxyHost` points the topic route elsewhere than the REST proxy host, and `settings`
 * replace deploy settings (both for LocalStack).
 *
 * @example
 * ```ts ignore
 * const inputs = await appInputs(ctx, { restProxyHost: "127.0.0.1:8082" });
 * ```
 */
export async function appInputs(
  ctx: StackContext,
  opts: { restProxyHost?: string; settings?: Partial<DeploySettings> } = {},
): Promise<PipelineInputs> {
  const settings = { ...await loadDeploySettings(ctx.cfg), ...opts.settings };
  return {
    cfg: ctx.cfg,
    settings,
    document: await loadApiDocument(),
    denoVersion: ctx.versions.get("aws_cdk", "deno"),
    restProxyHost: opts.restProxyHost,
    ourPluginDir: settings.connectPlugin.source === "ours" ? sinkPluginDir(ctx) : undefined,
  };
}

/**
 * Synthesizes into `outdir` (default {@linkcode assemblyDir}), replacing what was there.
 *
 * @example
 * ```ts ignore
 * const { templates } = await synthesize(await appInputs(ctx));
 * ```
 */
export async function synthesize(
  inputs: PipelineInputs,
  outdir = assemblyDir(inputs.cfg),
): Promise<Synthesized> {
  await Deno.remove(outdir, { recursive: true }).catch(() => {});
  const app = buildApp(inputs, { outdir });
  const assembly = app.app.synth();
  const templates: Record<string, string> = {};
  for (const s of [app.base, app.services]) {
    templates[s.stackName] = `${assembly.directory}/${
      assembly.getStackByName(s.stackName).templateFile
    }`;
  }
  return { assembly: assembly.directory, templates, app, inputs };
}
