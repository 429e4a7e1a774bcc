/**
 * Helpers for `fetch` failures: Deno reports every network error as `TypeError: fetch failed`
 * with the real reason in `cause`; these turn it into a few words a message can carry.
 *
 * @module
 */

/**
 * True when `fetch` itself failed (no HTTP response): refused, reset, DNS, timeout.
 *
 * @example
 * ```ts ignore
 * try { await fetch(url); } catch (e) { if (isNetworkError(e)) retry(); }
 * ```
 */
export function isNetworkError(e: unknown): boolean {
  return e instanceof TypeError || (e instanceof DOMException && e.name === "TimeoutError");
}

/**
 * The reason of a network error in a few words, such as `connection refused`.
 *
 * @example
 * ```ts ignore
 * networkReason(e); // "connection refused"
 * ```
 */
export function networkReason(e: unknown): string {
  const err = e as Error & { cause?: unknown };
  const detail = `${err?.message ?? ""} ${(err?.cause as Error | undefined)?.message ?? ""}`;
  if (/connection refused/i.test(detail)) return "connection refused";
  if (/connection reset|broken pipe|connection closed|incomplete message/i.test(detail)) {
    return "connection reset";
  }
  if (/timed? ?out/i.test(detail)) return "timed out";
  if (/dns|lookup|name or service/i.test(detail)) return "host not found";
  const cause = (err?.cause as Error | undefined)?.message;
  return (cause ?? err?.message ?? String(e)).split("\n")[0];
}
