/**
 * The text of anything thrown, for one line of a log or of stderr.
 * @module
 */

/** `e.message` for an Error, else `e` as a string (a thrown string, number, null…). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
