/**
 * Durations summarised: percentiles of a sorted sample and a histogram on a log scale.
 * @module
 */

/** Nearest-rank percentile (`p` in [0, 1]) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
}

/** Counts of durations per bin; bin k covers [edges[k], edges[k+1]). */
export interface DurationHistogram {
  edges: number[];
  counts: number[];
}

/** Status files give times in milliseconds: shorter durations count as 1 ms. */
const RESOLUTION = 0.001;

/**
 * Histogram of `durations` (seconds) with `perDecade` bins per power of ten, from the decade of
 * the shortest to that of the longest; empty for no durations.
 */
export function durationHistogram(
  durations: ArrayLike<number>,
  perDecade = 10,
): DurationHistogram {
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < durations.length; k++) {
    const d = Math.max(durations[k], RESOLUTION);
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  if (lo === Infinity || !Number.isFinite(hi)) return { edges: [], counts: [] };
  const first = Math.floor(Math.log10(lo) * perDecade + 1e-9);
  const last = Math.max(first + 1, Math.floor(Math.log10(hi) * perDecade + 1e-9) + 1);
  const edges: number[] = [];
  for (let k = first; k <= last; k++) edges.push(10 ** (k / perDecade));
  const counts = new Array<number>(last - first).fill(0);
  for (let k = 0; k < durations.length; k++) {
    const d = Math.max(durations[k], RESOLUTION);
    if (!Number.isFinite(d)) continue;
    const bin = Math.floor(Math.log10(d) * perDecade + 1e-9) - first;
    counts[Math.min(Math.max(bin, 0), counts.length - 1)]++;
  }
  return { edges, counts };
}
