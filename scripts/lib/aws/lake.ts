/**
 * The data lake bucket of docs/spec.md §1 (`user-<user_id>-bucket`): public access blocked,
 * encrypted at rest, reachable only over TLS, kept when the stack is destroyed.
 *
 * @module
 */
import { aws_s3 as s3, RemovalPolicy } from "aws-cdk-lib";
import type { Construct } from "constructs";

/**
 * A private, encrypted, TLS-only bucket, as the lake and MWAA's DAG bucket both are.
 *
 * @example
 * ```ts ignore
 * const dags = privateBucket(stack, "MwaaBucket", cfg.names.aws.mwaaBucket, { versioned: true });
 * ```
 */
export function privateBucket(
  scope: Construct,
  id: string,
  bucketName: string,
  opts: { versioned?: boolean } = {},
): s3.Bucket {
  return new s3.Bucket(scope, id, {
    bucketName,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: opts.versioned ?? false,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/**
 * The lake bucket.
 *
 * @example
 * ```ts ignore
 * const bucket = lakeBucket(stack, cfg.names.bucket);
 * ```
 */
export function lakeBucket(scope: Construct, bucketName: string): s3.Bucket {
  return privateBucket(scope, "Lake", bucketName);
}
