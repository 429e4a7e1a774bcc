/**
 * Small statistics for benchmarks: percentiles and a summary of a sample.
 *
 * @module
 */

/**
 * The `p`-th percentile (0-100) of `values`, interpolating linearly between the two nearest
 * ranks (NumPy's default), so p50 of an even-sized sample is the mean of the middle two.
 * Throws on an empty sample or a `p` outside 0-100.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2.5
 * percentile([5, 1, 3], 100); // 5
 * ```
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("Cannot take a percentile of an empty sample");
  if (!(p >= 0 && p <= 100)) throw new Error(`Invalid percentile ${p}: must be 0-100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/**
 * `x` to two decimals, as the benchmarks report seconds and ratios.
 *
 * @example
 * ```ts
 * round2(3.14159); // 3.14
 * ```
 */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Summary of a sample, as {@linkcode summarize} gives it. */
export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Count, min, mean, p50, p95, p99 and max of a non-empty sample.
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]).p50; // 2
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("Cannot summarize an empty sample");
  return {
    count: values.length,
    // A reduce, not Math.min(...values): a spread of 360,000 latencies overflows the stack.
    min: values.reduce((a, b) => Math.min(a, b)),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.reduce((a, b) => Math.max(a, b)),
  };
}

/**
 * A latency distribution as chart bars: `<label> min`, `p50`, `p95`, `p99` and `max`, in that
 * order, each with its value.
 *
 * @example
 * ```ts
 * import { quantileBars, summarize } from "./stats.ts";
 * quantileBars("acknowledged", summarize([1, 2, 3]))[1]; // ["acknowledged p50", 2]
 * ```
 */
export function quantileBars(label: string, s: Summary): [string, number][] {
  return (["min", "p50", "p95", "p99", "max"] as const).map((k) => [`${label} ${k}`, s[k]]);
}
