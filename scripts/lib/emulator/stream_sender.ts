/**
 * A client of the API's Kinesis routes (docs/spec.md §3), as the API document has them (in the
 * project's, `PUT /streams/{name}/record` for one row, `PUT /streams/{name}/records`
 * (PutRecords) for several). Retries with exponential backoff when the failure may pass
 * (connection errors, 429, 5xx); PutRecords retries only its failed records.
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
import { type ApiRoutes, apiRoutes, type StreamRoute } from "../api/routes.ts";
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

/** One request, retried on network errors, 429 and 5xx; resolves to the parsed 2xx answer. */
async function put(
  route: StreamRoute,
  url: string,
  api: ApiRoutes,
  body: string,
  opts: ProduceOptions,
  attempts: { n: number },
): Promise<unknown> {
  return JSON.parse(
    await requestWithRetry(
      api,
      route.method,
      url,
      route.contentType,
      body,
      opts,
      () => attempts.n++,
    ),
  );
}

function missing(api: ApiRoutes, action: string): Error {
  return new Error(
    `${api.source} has no ${action} route: add a Kinesis ${action} integration to the API document`,
  );
}

/**
 * Puts `entries` on `stream` through the API: one PutRecord when there is one entry (unless
 * `batch` is set), else one PutRecords, whose failed records alone are sent again.
 *
 * @example
 * ```ts ignore
 * await putStreamRecords(apiRoutes(cfg), cfg.names.streams.pin, [{ data: { index: 1 }, partitionKey: "1" }]);
 * ```
 */
export async function putStreamRecords(
  api: ApiRoutes,
  stream: string,
  entries: StreamEntry[],
  opts: ProduceOptions & { batch?: boolean } = {},
): Promise<PutResult> {
  const attempts = { n: 0 };
  // One record goes as PutRecord, unless asked to batch or the API has only PutRecords.
  if (entries.length === 1 && (!opts.batch || !api.putRecords) && api.putRecord) {
    const route = api.putRecord;
    const url = route.url(stream);
    const answer = await put(
      route,
      url,
      api,
      route.body(stream, entries),
      opts,
      attempts,
    ) as Answer;
    if (typeof answer?.SequenceNumber !== "string") {
      throw new ProduceError(`API answered ${route.method} ${url} without a SequenceNumber`);
    }
    return {
      records: [{ sequenceNumber: answer.SequenceNumber, shardId: answer.ShardId ?? "" }],
      attempts: attempts.n,
    };
  }
  const route = api.putRecords;
  if (!route) throw missing(api, entries.length === 1 ? "PutRecord or PutRecords" : "PutRecords");
  const url = route.url(stream);
  const done: (PutResult["records"][number] | undefined)[] = entries.map(() => undefined);
  let pending = entries.map((_, i) => i);
  const retries = opts.retries ?? DEFAULT_RETRIES;
  for (let round = 1;; round++) {
    const body = route.body(stream, pending.map((i) => entries[i]));
    const answer = await put(route, url, api, body, opts, attempts) as { Records?: Answer[] };
    const records = answer?.Records;
    if (!Array.isArray(records) || records.length !== pending.length) {
      throw new ProduceError(
        `API answered ${route.method} ${url} with ${records?.length ?? "no"} results for ` +
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
        `Kinesis refused ${failed.length} of ${entries.length} records of ${route.method} ${url} ` +
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
  const api = apiRoutes(cfg, opts.apiUrl);
  if (!api.putRecord && !api.putRecords) throw missing(api, "PutRecord or PutRecords");
  return (kind, rows, retry) =>
    putStreamRecords(
      api,
      cfg.names.streams[kind],
      rows.map((data) => ({ data, partitionKey: partitionKeyOf(data) })),
      { ...retry, batch: opts.putRecords },
    );
}
