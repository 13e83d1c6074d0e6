/**
 * The one line that explains why an engine launcher (ssh, srun, the engine itself) failed, out
 * of what it wrote to its wrap log. srun surrounds its real error with noise (PMIx, CPU binding
 * warnings), so the last line that says "error" wins, else the last non-empty line.
 * @module
 */

/** Picks the explaining line of `text`; "" when the text has none. */
export function failureReason(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  const errors = lines.filter((l) => /\berror\b|fatal|not found/i.test(l));
  return (errors.at(-1) ?? lines.at(-1) ?? "").slice(0, 500);
}
