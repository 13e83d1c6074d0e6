/**
 * Replacing a file whole: written beside it, then renamed into place.
 * @module
 */

/**
 * Writes `text` as the file at `path` with `mode` by renaming a complete copy into place, so a
 * reader (or an `exec`) never finds it empty or half-written; the copy is removed when anything
 * fails, and the error is thrown.
 */
export function replaceFileSync(path: string, text: string, mode: number): void {
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, text, { mode });
    Deno.chmodSync(tmp, mode); // the umask may have taken bits away
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // not created, or its directory is gone
    }
    throw e;
  }
}
