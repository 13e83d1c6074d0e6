/**
 * Time series over fixed-width buckets: how many tasks ran (time-weighted mean per bucket) and
 * how many ended in each bucket. A million intervals become a few thousand numbers.
 * @module
 */

/** Equal buckets from `t0`: bucket `k` is `[t0 + k·width, t0 + (k+1)·width)`. */
export interface Buckets {
  t0: number;
  width: number;
  count: number;
}

/** At most `max` buckets covering `[t0, t1]`, none shorter than a millisecond. */
export function bucketsFor(t0: number, t1: number, max: number): Buckets {
  const span = Math.max(t1 - t0, 0);
  const count = Math.max(1, Math.min(max, Math.ceil(span / 0.001)));
  return { t0, width: Math.max(span / count, 0.001), count };
}

/** Accumulates weighted interval coverage and point counts per bucket. */
export class BucketSeries {
  readonly #b: Buckets;
  readonly #acc: Float64Array;
  readonly #diff: Float64Array;

  constructor(b: Buckets) {
    this.#b = b;
    this.#acc = new Float64Array(b.count);
    this.#diff = new Float64Array(b.count + 1);
  }

  /** Adds `weight` over `[s, f)`: each bucket gains weight × the fraction of it covered. */
  cover(s: number, f: number, weight = 1): void {
    const { t0, width, count } = this.#b;
    const a = Math.min(Math.max((s - t0) / width, 0), count);
    const z = Math.min(Math.max((f - t0) / width, 0), count);
    if (!(z > a)) return;
    const ia = Math.min(Math.floor(a), count - 1);
    const iz = Math.min(Math.floor(z), count - 1);
    if (ia === iz) {
      this.#acc[ia] += (z - a) * weight;
      return;
    }
    this.#acc[ia] += (ia + 1 - a) * weight;
    this.#acc[iz] += (z - iz) * weight;
    this.#diff[ia + 1] += weight;
    this.#diff[iz] -= weight;
  }

  /** Adds `weight` to the bucket holding time `t` (the last one for t at the end). */
  count(t: number, weight = 1): void {
    const { t0, width, count } = this.#b;
    const k = Math.min(Math.max(Math.floor((t - t0) / width), 0), count - 1);
    this.#acc[k] += weight;
  }

  /** The value of each bucket. */
  values(): Float64Array {
    const out = new Float64Array(this.#b.count);
    let run = 0;
    for (let k = 0; k < out.length; k++) {
      run += this.#diff[k];
      out[k] = this.#acc[k] + run;
    }
    return out;
  }
}
