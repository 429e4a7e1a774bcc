/**
 * A tiny seedable PRNG (sfc32) for the synthetic source. Each row gets its own stream from
 * (seed, table, row), so row k is the same whatever the number of rows generated.
 *
 * @module
 */

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/** A deterministic stream of uniform numbers for a tuple of integers. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d = 1;

  /**
   * @example
   * ```ts
   * const r = new Rng(42, 1, 7528);
   * r.int(1, 6); // the same every time for (42, 1, 7528)
   * ```
   */
  constructor(...key: number[]) {
    let a = 0x6a09e667, b = 0xbb67ae85, c = 0x3c6ef372;
    for (const k of key) {
      a = mix(a, k | 0);
      b = mix(b, Math.floor(k / 0x100000000) ^ a);
      c = mix(c, a ^ b);
    }
    this.#a = a;
    this.#b = b;
    this.#c = c;
    for (let i = 0; i < 8; i++) this.next();
  }

  /** Uniform number in [0, 1). */
  next(): number {
    const a = this.#a, b = this.#b, c = this.#c;
    const t = (a + b + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) >>> 0;
    this.#c = ((((c << 21) | (c >>> 11)) >>> 0) + t) >>> 0;
    return t / 4294967296;
  }

  /** Integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `n` random lower-case hex digits. */
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i += 2) s += HEX[Math.floor(this.next() * 256)];
    return n % 2 ? s.slice(0, n) : s;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
