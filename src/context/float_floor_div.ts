/**
 * Python's float floor division `a // b` (spec Appendix D). `Math.floor(a / b)` differs on
 * inexact quotients: Python gives `1 // 0.1 == 9`, and so must slot counts.
 * @module
 */

/** `a // b` with CPython's float semantics (b ≠ 0). */
export function floatFloorDiv(a: number, b: number): number {
  const mod = a % b; // C fmod: sign of a
  let div = (a - mod) / b;
  if (mod !== 0 && (b < 0) !== (mod < 0)) div -= 1;
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}
