/**
 * The three Kinesis streams of docs/spec.md §1, created with the Kinesis client and waited on until
 * ACTIVE. Safe to re-run: streams that exist are reported, never recreated.
 *
 * @module
 */
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard,
  type StreamDescriptionSummary,
} from "@aws-sdk/client-kinesis";
import type { Config } from "../core/config.ts";
import { kinesisClient } from "./client.ts";
import { KINDS } from "../core/names.ts";
import { waitFor } from "../core/time.ts";

/** What {@linkcode setupStreams} found or did for one stream. */
export interface StreamState {
  stream: string;
  /** Open shards (no ending sequence number). */
  shards: number;
  /** Kinesis's status, ACTIVE once ready. */
  streamStatus: string;
  retentionHours: number;
  status: "created" | "exists";
}

/** Options of {@linkcode setupStreams}. */
export interface SetupStreamsOptions {
  /** Seconds to wait for each stream to become ACTIVE (default 60). */
  timeoutSeconds?: number;
  /** A client to use (default: one from the config, closed afterwards). */
  kinesis?: KinesisClient;
}

/**
 * Creates the pin, geo and user streams that are missing, with `cfg.kinesis.shards` shards,
 * waits until every one is ACTIVE and reports each as it now is.
 *
 * @example
 * ```ts ignore
 * const states = await setupStreams(cfg);
 * console.log(table(states)); // stream, shards, streamStatus, retentionHours, status
 * ```
 */
export async function setupStreams(
  cfg: Config,
  opts: SetupStreamsOptions = {},
): Promise<StreamState[]> {
  const kinesis = opts.kinesis ?? kinesisClient(cfg);
  const budget = (opts.timeoutSeconds ?? 60) * 1000;
  try {
    const states: StreamState[] = [];
    for (const kind of KINDS) {
      const stream = cfg.names.streams[kind];
      let created = false;
      try {
        await kinesis.send(
          new CreateStreamCommand({ StreamName: stream, ShardCount: cfg.kinesis.shards }),
        );
        created = true;
      } catch (e) {
        // Creating is the only race-free existence check: describe-then-create is not.
        if ((e as Error).name !== "ResourceInUseException") throw explainKinesisError(cfg, e);
      }
      const summary = await waitActive(cfg, kinesis, stream, budget);
      states.push({
        stream,
        shards: summary.OpenShardCount ?? (await openShards(kinesis, stream)).length,
        streamStatus: summary.StreamStatus ?? "UNKNOWN",
        retentionHours: summary.RetentionPeriodHours ?? 0,
        status: created ? "created" : "exists",
      });
    }
    return states;
  } finally {
    if (!opts.kinesis) kinesis.destroy();
  }
}

async function waitActive(cfg: Config, kinesis: KinesisClient, stream: string, budget: number) {
  let summary: StreamDescriptionSummary | undefined;
  return await waitFor(async () => {
    try {
      summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream })))
        .StreamDescriptionSummary!;
    } catch (e) {
      // Just after CreateStream a stream may not be visible yet.
      if ((e as Error).name !== "ResourceNotFoundException") throw explainKinesisError(cfg, e);
    }
    return summary?.StreamStatus === "ACTIVE" && summary;
  }, {
    timeoutMs: budget,
    intervalMs: 50,
    backoff: 2,
    maxIntervalMs: 1000,
    timeoutError: () =>
      new Error(
        `Stream ${stream} is not ACTIVE after ${budget / 1000} s (status ${
          summary?.StreamStatus ?? "not found"
        }); check Kinesis at ${cfg.kinesis.endpoint ?? cfg.region} and retry`,
      ),
  });
}

/**
 * The open shards of a stream (those still taking records), in shard id order.
 *
 * @example
 * ```ts ignore
 * const shards = await openShards(kinesisClient(cfg), cfg.names.streams.pin);
 * shards[0].ShardId; // "shardId-000000000000"
 * ```
 */
export async function openShards(kinesis: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
    );
    shards.push(...(res.Shards ?? []));
    token = res.NextToken;
    if (!token) break;
  }
  return shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber)
    .sort((a, b) => (a.ShardId! < b.ShardId! ? -1 : 1));
}

/** Rewrites a Kinesis failure into a message that names the endpoint and the fix. */
export function explainKinesisError(cfg: Config, e: unknown): Error {
  const err = e as Error & { code?: string };
  const msg = err.message ?? String(e);
  const where = cfg.kinesis.endpoint ?? `Kinesis in ${cfg.region}`;
  if (/ECONNREFUSED|connect.*refused|socket hang up/i.test(`${msg} ${err.code ?? ""}`)) {
    return new Error(
      `Cannot reach Kinesis at ${where}: connection refused` +
        (cfg.profile === "local" ? "; start it with `deno task stack:up`" : ""),
    );
  }
  return new Error(`Kinesis at ${where} failed: ${err.name}: ${msg}`);
}
