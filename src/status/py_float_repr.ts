/**
 * Python's `repr()` of the floats argparse makes of `-c` (`-1.0`, `2.0`, `0.5`), for the
 * context's launch line and the messages that quote it as the original does.
 * @module
 */

/** `3` → `3.0`, `0.5` → `0.5` (finite values of ordinary magnitude). */
export function pyFloatRepr(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}
