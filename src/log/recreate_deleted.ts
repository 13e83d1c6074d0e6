/**
 * A file of the run deleted while the run writes it (`rm P_status.txt` by mistake): the open
 * handle keeps working, but the record would vanish with the process. Noticed by `fstat`
 * (no names left), cheap enough for a periodic check; the lines written so far — all of them,
 * including those written after the deletion — are copied into a new file at the same path.
 * @module
 */

const CHUNK = 1 << 20;

/**
 * When `file` (opened for reading and writing, `length` bytes of it in use) has no name left,
 * creates a new file at `path` holding those bytes, positioned at its end, and returns it; the
 * caller writes there from then on and closes `file`. Returns null while `file` still has a name.
 * A file created at `path` by someone else in the meantime is not overwritten.
 *
 * @throws the error of creating, reading or writing (e.g. `NotFound` when the directory is gone,
 * `AlreadyExists`); the new file is removed again in the latter cases.
 */
export function recreateDeleted(
  file: Deno.FsFile,
  path: string,
  length: number,
): Deno.FsFile | null {
  if (file.statSync().nlink !== 0) return null;
  const copy = Deno.openSync(path, { read: true, write: true, createNew: true });
  try {
    const buf = new Uint8Array(Math.min(CHUNK, Math.max(1, length)));
    file.seekSync(0, Deno.SeekMode.Start);
    let done = 0;
    while (done < length) {
      const n = file.readSync(buf.subarray(0, Math.min(buf.length, length - done)));
      if (n === null || n === 0) {
        throw new Error(`the deleted file ended at byte ${done} of ${length}`);
      }
      let at = 0;
      while (at < n) at += copy.writeSync(buf.subarray(at, n));
      done += n;
    }
    file.seekSync(length, Deno.SeekMode.Start);
    return copy;
  } catch (e) {
    copy.close();
    try {
      Deno.removeSync(path);
    } catch {
      // nothing to undo
    }
    throw e;
  }
}
