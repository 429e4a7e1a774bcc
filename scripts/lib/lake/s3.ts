/**
 * S3 clients from the config (MinIO locally, S3 on AWS) and the few bucket operations the
 * pipeline needs: create a bucket once, list a prefix, read an object as text.
 *
 * @module
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import type { Config } from "../core/config.ts";

/**
 * Creates an S3 client for the configured endpoint. Local servers need path-style addressing,
 * and checksums only when required (newer SDKs send trailers MinIO builds may reject).
 *
 * @example
 * ```ts ignore
 * const s3 = s3Client(cfg);
 * await ensureBucket(s3, cfg.names.bucket);
 * ```
 */
export function s3Client(cfg: Config): S3Client {
  const { endpoint, forcePathStyle, accessKeyId, secretAccessKey } = cfg.s3;
  return new S3Client({
    region: cfg.region,
    endpoint,
    forcePathStyle,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // Without explicit keys (AWS profile) the SDK's default credential chain applies.
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
  });
}

/** Rewrites an SDK failure into a message naming the endpoint and what to do. */
export function explainS3Error(cfg: Config, what: string, e: unknown): Error {
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? err.name ?? "";
  const where = cfg.s3.endpoint ?? `S3 in ${cfg.region}`;
  if (/ECONNREFUSED|ECONNRESET|ConnectionRefused/i.test(`${code} ${err.message}`)) {
    return new Error(
      `Cannot ${what} at ${where}: connection refused` +
        (cfg.profile === "local" ? "; start MinIO with `deno task stack:up`" : ""),
    );
  }
  return new Error(`Cannot ${what} at ${where}: ${err.message ?? String(e)}`);
}

/**
 * Creates `bucket` unless it exists. Resolves to what happened.
 *
 * @example
 * ```ts ignore
 * await ensureBucket(s3Client(cfg), cfg.names.bucket); // "created" or "exists"
 * ```
 */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<"created" | "exists"> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return "exists";
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw e;
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return "created";
  } catch (e) {
    // Another process may have created it between the two calls.
    if ((e as Error).name === "BucketAlreadyOwnedByYou") return "exists";
    throw e;
  }
}

/** One listed object. */
export interface ObjectInfo {
  key: string;
  size: number;
}

/**
 * Lists every object under `prefix` (all pages), sorted by key.
 *
 * @example
 * ```ts ignore
 * const objects = await listObjects(s3, cfg.names.bucket, `topics/${cfg.names.topics.pin}/`);
 * ```
 */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) out.push({ key: o.Key!, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Reads one object as UTF-8 text.
 *
 * @example
 * ```ts ignore
 * const text = await readObjectText(s3, cfg.names.bucket, objects[0].key);
 * ```
 */
export async function readObjectText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return await res.Body!.transformToString("utf-8");
}
