/**
 * How a child ended, decoded from a wait(2) status word.
 * @module
 */

/** Wait status of an exited child: exactly one of `code` / `signal` is meaningful. */
export interface SessionStatus {
  /** Exit code (0–255); 0 when killed by a signal. */
  code: number;
  /** Number of the signal that killed the child, or null when it exited. */
  signal: number | null;
}

/** Decodes a wait(2) status word. */
export function decodeWaitStatus(word: number): SessionStatus {
  const sig = word & 0x7f;
  return sig === 0 ? { code: (word >> 8) & 0xff, signal: null } : { code: 0, signal: sig };
}

/**
 * The status of `pid` after `waitpid` returned `returned` with `word`: decoded when it reaped
 * that child, else exit code 255 (the wait failed: there is nothing to decode).
 */
export function reapedStatus(returned: number, pid: number, word: number): SessionStatus {
  return returned === pid ? decodeWaitStatus(word) : { code: 255, signal: null };
}
