/**
 * A one-line chart of counts in Unicode block characters (▁ to █), scaled to the largest count
 * shown: the terminal monitor's throughput. Zero is a space, so idle stretches read as gaps.
 * @module
 */

/** Eight levels, lowest first. */
export const BLOCK_LEVELS = "▁▂▃▄▅▆▇█";
/** The same levels for terminals that cannot show the blocks. */
export const ASCII_LEVELS = "_.,-=+*#";

/** The last `width` values (fewer when there are fewer), one character each. */
export function sparkline(
  values: readonly number[],
  width: number,
  levels: string = BLOCK_LEVELS,
): string {
  const shown = width > 0 ? values.slice(-Math.floor(width)) : [];
  const top = Math.max(0, ...shown);
  const n = [...levels];
  return shown.map((v) => {
    if (!(v > 0) || !(top > 0)) return " ";
    return n[Math.min(n.length - 1, Math.ceil((v / top) * n.length) - 1)];
  }).join("");
}

/** Whether a process environment's locale says UTF-8 (as tmux decides it). */
export function localeIsUtf8(env: Record<string, string | undefined>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || "";
  return /utf-?8/i.test(locale);
}
