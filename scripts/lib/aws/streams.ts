/**
 * The three Kinesis streams of docs/spec.md §1 (`streaming-<user_id>-<kind>`), encrypted with the
 * AWS-managed key, one shard each unless the profile says otherwise.
 *
 * @module
 */
import { aws_kinesis as kinesis } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { type Kind, KINDS, type Names } from "../core/names.ts";

/**
 * One stream per kind, by kind.
 *
 * @example
 * ```ts ignore
 * const streams = kinesisStreams(stack, cfg.names, cfg.kinesis.shards);
 * ```
 */
export function kinesisStreams(
  scope: Construct,
  names: Names,
  shards: number,
): Record<Kind, kinesis.Stream> {
  return Object.fromEntries(KINDS.map((kind) => [
    kind,
    new kinesis.Stream(scope, `Stream-${kind}`, {
      streamName: names.streams[kind],
      shardCount: shards,
      encryption: kinesis.StreamEncryption.MANAGED,
    }),
  ])) as Record<Kind, kinesis.Stream>;
}
