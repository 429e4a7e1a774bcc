/**
 * A client of the API's Kafka REST v2 route: posts records to a topic and retries with
 * exponential backoff when the failure may pass (connection errors, 429, 5xx).
 *
 * @module
 */
import { isNetworkError, networkReason } from "../core/http.ts";
import { KAFKA_JSON_V2 } from "../kafka/rest.ts";
import { sleep } from "../core/time.ts";
import type { ApiRoutes } from "./routes.ts";

/** Options of {@linkcode produceRecords}. */
export interface ProduceOptions {
  /** Retries after the first attempt (default 8: about 15 s of backoff, a broker restart). */
  retries?: number;
  /** First backoff; doubles each retry, with jitter (default 100 ms). */
  baseDelayMs?: number;
  /** Longest backoff (default 5 s). */
  maxDelayMs?: number;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /** Called before each retry. */
  onRetry?: (attempt: number, reason: string) => void;
}

/** A post the API did not acknowledge. */
export class ProduceError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "ProduceError";
  }
}

/** Offsets the API acknowledged, one per record, in order. */
export interface ProduceResult {
  offsets: { partition: number; offset: number }[];
  attempts: number;
}

/** Retries of a request by default: with the backoff below about 15 s, a broker restart. */
export const DEFAULT_RETRIES = 8;

/**
 * Posts `values` as one Kafka REST v2 request to the API's topic route (the document's: in the
 * project's, `POST <invoke URL>/topics/{topic}`).
 *
 * @example
 * ```ts ignore
 * await produceRecords(apiRoutes(cfg), cfg.names.topics.pin, [{ index: 1 }]);
 * ```
 */
export async function produceRecords(
  api: ApiRoutes,
  topic: string,
  values: unknown[],
  opts: ProduceOptions = {},
): Promise<ProduceResult> {
  const { method, url } = api.topic(topic);
  const body = JSON.stringify({ records: values.map((value) => ({ value })) });
  let attempts = 0;
  const text = await requestWithRetry(
    api,
    method,
    url,
    KAFKA_JSON_V2,
    body,
    opts,
    () => attempts++,
  );
  return { offsets: parseOffsets(text, values.length, url), attempts };
}

/** Waits the backoff before retry `attempt`: doubling from `baseDelayMs`, capped, with jitter. */
export function backoff(opts: ProduceOptions, attempt: number): Promise<void> {
  const cap = Math.min(opts.maxDelayMs ?? 5000, (opts.baseDelayMs ?? 100) * 2 ** (attempt - 1));
  return sleep(cap / 2 + Math.random() * cap / 2);
}

/**
 * Sends one request to the API, retrying connection errors, 429 and 5xx with backoff; resolves
 * to the body of the 2xx answer. Other 4xx fail at once with the API's message.
 */
export async function requestWithRetry(
  api: ApiRoutes,
  method: string,
  url: string,
  contentType: string,
  body: string,
  opts: ProduceOptions,
  onAttempt: () => void = () => {},
): Promise<string> {
  const retries = opts.retries ?? DEFAULT_RETRIES;
  for (let attempt = 1;; attempt++) {
    onAttempt();
    let reason: string;
    let status: number | undefined;
    try {
      const res = await fetch(url, {
        method,
        headers: { ...api.headers, "content-type": contentType, accept: "application/json" },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      const text = await res.text();
      if (res.ok) return text;
      status = res.status;
      reason = `${res.status} ${errorMessage(text)}`;
      if (status < 500 && status !== 429) {
        throw new ProduceError(`API refused ${method} ${url}: ${reason}`, status);
      }
    } catch (e) {
      if (e instanceof ProduceError) throw e;
      if (!isNetworkError(e)) throw e;
      reason = networkReason(e);
    }
    if (attempt > retries) {
      throw new ProduceError(
        status === undefined
          ? `Cannot reach the API at ${api.invokeUrl}: ${reason}; start it with \`deno task api\``
          : `API failed ${method} ${url} after ${attempt} attempts: ${reason}`,
        status,
      );
    }
    opts.onRetry?.(attempt, reason);
    await backoff(opts, attempt);
  }
}

/** The API's message; API Gateway's own answers carry what to do in `hint` (locally). */
function errorMessage(text: string): string {
  try {
    const { message, hint } = JSON.parse(text) as { message?: string; hint?: string };
    if (message === undefined) return text;
    return hint ? `${message} (${hint})` : message;
  } catch {
    return text.slice(0, 200);
  }
}

function parseOffsets(text: string, expected: number, url: string) {
  const offsets = (JSON.parse(text) as {
    offsets?: { partition: number; offset: number; error_code?: number; error?: string }[];
  }).offsets;
  if (!Array.isArray(offsets) || offsets.length !== expected) {
    throw new ProduceError(
      `API answered POST ${url} with ${offsets?.length ?? "no"} offsets for ${expected} records`,
    );
  }
  const failed = offsets.findIndex((o) => o.error_code);
  if (failed >= 0) {
    throw new ProduceError(
      `API rejected record ${failed} of POST ${url}: ${offsets[failed].error ?? "no reason"}`,
    );
  }
  return offsets.map(({ partition, offset }) => ({ partition, offset }));
}
