/**
 * Short human forms of durations and rates for the monitor, the progress line and mail.
 * @module
 */

/** `seconds` as `m:ss`, `h:mm:ss` or `Nd hh:mm` (rounded down to the second). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const p = (n: number) => String(n).padStart(2, "0");
  const days = Math.floor(s / 86_400);
  const h = Math.floor(s / 3600) % 24;
  const m = Math.floor(s / 60) % 60;
  if (days > 0) return `${days}d ${p(h)}:${p(m)}`;
  if (h > 0) return `${h}:${p(m)}:${p(s % 60)}`;
  return `${m}:${p(s % 60)}`;
}

/** Completions per second as `12/s`, `1.5/s`, or per minute below one a second. */
export function formatRate(perSecond: number): string {
  if (!(perSecond > 0)) return "0/s";
  if (perSecond >= 10) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`;
  return `${(perSecond * 60).toFixed(1)}/min`;
}
