/**
 * One raw request to the API, with the request and the response as they went over the wire, to
 * show the Kafka REST v2 exchange (and its errors) rather than hide it behind a client.
 *
 * @module
 */
import { networkReason } from "../core/http.ts";
import { KAFKA_JSON_V2 } from "../kafka/rest.ts";

/** A request and the API's answer. */
export interface ApiExchange {
  method: string;
  url: string;
  contentType: string;
  /** Body as sent. */
  body: string;
  status: number;
  /** The response parsed as JSON (its text when it is not JSON). */
  response: unknown;
}

/**
 * Sends `body` (an object is serialised as JSON; a string goes as it is) and returns both sides,
 * whatever the status.
 *
 * @example
 * ```ts ignore
 * const x = await apiExchange(cfg.apiUrl, `/topics/${cfg.names.topics.pin}`, {
 *   records: [{ value: { index: 1 } }],
 * });
 * x.status; // 200
 * ```
 */
export async function apiExchange(
  apiUrl: string,
  path: string,
  body: unknown,
  opts: { method?: string; contentType?: string } = {},
): Promise<ApiExchange> {
  const method = opts.method ?? "POST";
  const url = `${apiUrl.replace(/\/$/, "")}${path}`;
  const contentType = opts.contentType ?? KAFKA_JSON_V2;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { "content-type": contentType, accept: "application/json" },
      body: text,
    });
  } catch (e) {
    throw new Error(
      `Cannot reach the API at ${apiUrl}: ${
        networkReason(e)
      }; start it with \`deno task stack:up\``,
    );
  }
  const answer = await res.text();
  let response: unknown = answer;
  try {
    response = JSON.parse(answer);
  } catch {
    // Not JSON: show the text.
  }
  return { method, url, contentType, body: text, status: res.status, response };
}
