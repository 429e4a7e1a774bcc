/**
 * A client of the API's Kinesis routes (docs/spec.md §3): `PUT /streams/{name}/record` for one row,
 * `PUT /streams/{name}/records` (PutRecords) for several. Retries with exponential backoff when the
 * failure may pass (connection errors, 429, 5xx); PutRecords retries only its failed records.
 *
 * @module
 */
import {
  backoff,
  DEFAULT_RETRIES,
  ProduceError,
  type ProduceOptions,
  requestWithRetry,
} from "../api/client.ts";
import { STREAM_JSON } from "../api/kinesis_integration.ts";
import type { Config } from "../core/config.ts";
import type { Sender } from "./emulator.ts";
import type { SourceRow } from "../source/posts.ts";

/** One row to put, with its partition key. */
export interface StreamEntry {
  data: unknown;
  partitionKey: string;
}

/** What the API acknowledged: one sequence number per entry, in order. */
export interface PutResult {
  records: { sequenceNumber: string; shardId: string }[];
  /** Requests sent, retries included. */
  attempts: number;
}

interface Answer {
  SequenceNumber?: string;
  ShardId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** One PUT, retried on network errors, 429 and 5xx; resolves to the parsed 2xx answer. */
async function put(
  url: string,
  apiUrl: string,
  body: string,
  opts: ProduceOptions,
  attempts: { n: number },
): Promise<unknown> {
  return JSON.parse(
    await requestWithRetry("PUT", url, apiUrl, STREAM_JSON, body, opts, () => attempts.n++),
  );
}

/**
 * Puts `entries` on `stream` through the API: one PutRecord when there is one entry (unless
 * `batch` is set), else one PutRecords, whose failed records alone are sent again.
 *
 * @example
 * ```ts ignore
 * await putStreamRecords(cfg.apiUrl, cfg.names.streams.pin, [{ data: { index: 1 }, partitionKey: "1" }]);
 * ```
 */
export async function putStreamRecords(
  apiUrl: string,
  stream: string,
  entries: StreamEntry[],
  opts: ProduceOptions & { batch?: boolean } = {},
): Promise<PutResult> {
  const base = `${apiUrl.replace(/\/$/, "")}/streams/${encodeURIComponent(stream)}`;
  const attempts = { n: 0 };
  if (entries.length === 1 && !opts.batch) {
    const [e] = entries;
    const answer = await put(
      `${base}/record`,
      apiUrl,
      JSON.stringify({ StreamName: stream, Data: e.data, PartitionKey: e.partitionKey }),
      opts,
      attempts,
    ) as Answer;
    if (typeof answer?.SequenceNumber !== "string") {
      throw new ProduceError(`API answered PUT ${base}/record without a SequenceNumber`);
    }
    return {
      records: [{ sequenceNumber: answer.SequenceNumber, shardId: answer.ShardId ?? "" }],
      attempts: attempts.n,
    };
  }
  const done: (PutResult["records"][number] | undefined)[] = entries.map(() => undefined);
  let pending = entries.map((_, i) => i);
  const retries = opts.retries ?? DEFAULT_RETRIES;
  for (let round = 1;; round++) {
    const answer = await put(
      `${base}/records`,
      apiUrl,
      JSON.stringify({
        StreamName: stream,
        Records: pending.map((i) => ({
          Data: entries[i].data,
          PartitionKey: entries[i].partitionKey,
        })),
      }),
      opts,
      attempts,
    ) as { Records?: Answer[] };
    const records = answer?.Records;
    if (!Array.isArray(records) || records.length !== pending.length) {
      throw new ProduceError(
        `API answered PUT ${base}/records with ${records?.length ?? "no"} results for ` +
          `${pending.length} records`,
      );
    }
    const failed: number[] = [];
    let reason = "";
    records.forEach((r, j) => {
      if (r.SequenceNumber) {
        done[pending[j]] = { sequenceNumber: r.SequenceNumber, shardId: r.ShardId ?? "" };
      } else {
        failed.push(pending[j]);
        reason ||= `${r.ErrorCode ?? "error"}: ${r.ErrorMessage ?? "no reason"}`;
      }
    });
    if (failed.length === 0) {
      return { records: done as PutResult["records"], attempts: attempts.n };
    }
    if (round > retries) {
      throw new ProduceError(
        `Kinesis refused ${failed.length} of ${entries.length} records of PUT ${base}/records ` +
          `after ${round} attempts: ${reason}`,
      );
    }
    // PutRecords fails record by record (throttling mostly): send only those again.
    opts.onRetry?.(round, reason);
    pending = failed;
    await backoff(opts, round);
  }
}

/**
 * The partition key of a source row: its post key, so the three records of a post and every
 * resend of it land on the same shard of their streams.
 *
 * @example
 * ```ts
 * partitionKeyOf({ index: 7528, title: "..." }); // "7528"
 * ```
 */
export function partitionKeyOf(row: SourceRow): string {
  return String(row.index ?? row.ind ?? "none");
}

/**
 * The stream emulator's sender: the rows of a kind go to its stream through the API, one
 * PutRecord per row, or one PutRecords per request when `putRecords` (`--batch` above 1).
 *
 * @example
 * ```ts ignore
 * await emulate(cfg, { count: 10, sender: streamSender(cfg) });
 * ```
 */
export function streamSender(
  cfg: Config,
  opts: { apiUrl?: string; putRecords?: boolean } = {},
): Sender {
  const apiUrl = opts.apiUrl ?? cfg.apiUrl;
  return (kind, rows, retry) =>
    putStreamRecords(
      apiUrl,
      cfg.names.streams[kind],
      rows.map((data) => ({ data, partitionKey: partitionKeyOf(data) })),
      { ...retry, batch: opts.putRecords },
    );
}
