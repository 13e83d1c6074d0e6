/**
 * Heartbeat timing. The driver pings every engine each `intervalMs`; an engine answers at once.
 * Either side that hears nothing from the other for `timeoutMs` declares it lost: the driver
 * re-issues the engine's tasks, the engine kills its tasks and exits. The timeout is many
 * intervals long so that an engine whose node is saturated by its own tasks is not evicted.
 * @module
 */

/** Heartbeat interval and loss timeout in milliseconds. */
export interface HeartbeatSettings {
  intervalMs: number;
  timeoutMs: number;
}

/** Defaults: ping every 5 s, declare loss after 30 s of silence. */
export const DEFAULT_HEARTBEAT: HeartbeatSettings = { intervalMs: 5_000, timeoutMs: 30_000 };

/**
 * Reads `DISBATCH_HEARTBEAT=<interval>,<timeout>` (seconds, fractions allowed); anything
 * unparsable gives the defaults.
 */
export function heartbeatSettings(value: string | undefined): HeartbeatSettings {
  const m = value?.match(/^\s*([0-9.]+)\s*,\s*([0-9.]+)\s*$/);
  if (!m) return DEFAULT_HEARTBEAT;
  const intervalMs = Number(m[1]) * 1000;
  const timeoutMs = Number(m[2]) * 1000;
  if (!(intervalMs > 0) || !(timeoutMs > intervalMs)) return DEFAULT_HEARTBEAT;
  return { intervalMs, timeoutMs };
}
