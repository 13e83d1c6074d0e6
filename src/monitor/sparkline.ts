/**
 * A one-line chart of counts in Unicode block characters (▁ to █), scaled to the largest count
 * shown: the terminal monitor's throughput. Zero is a space, so idle stretches read as gaps.
 * @module
 */

const BLOCKS = "▁▂▃▄▅▆▇█";

/** The last `width` values (fewer when there are fewer), one character each. */
export function sparkline(values: readonly number[], width: number): string {
  const shown = width > 0 ? values.slice(-Math.floor(width)) : [];
  const top = Math.max(0, ...shown);
  return shown.map((v) => {
    if (!(v > 0) || !(top > 0)) return " ";
    return BLOCKS[Math.min(BLOCKS.length - 1, Math.ceil((v / top) * BLOCKS.length) - 1)];
  }).join("");
}
