/**
 * A regular task file is checked completely before the run, then read again lazily as the run
 * goes. If it is shortened in between (truncated, or rewritten shorter), the lazy read would
 * just end early and the run would finish as if the rest of the tasks had never been there.
 * This stream reports that instead.
 * @module
 */

/** The file ended before the length it had when it was checked. */
export class InputShrankError extends Error {
  /** Bytes read before the end. */
  readonly read: number;
  /** Its length when it was checked. */
  readonly expected: number;

  /** Builds the error for a file that ended after `read` of `expected` bytes. */
  constructor(read: number, expected: number) {
    super(`it ends at byte ${read} of the ${expected} it had when the run started`);
    this.name = "InputShrankError";
    this.read = read;
    this.expected = expected;
  }
}

/**
 * Passes `input` through unchanged, reading it only when asked (no look-ahead), and errors with
 * {@link InputShrankError} when it ends short of `expected` bytes. More bytes are passed on.
 */
export function lengthChecked(
  input: ReadableStream<Uint8Array>,
  expected: number,
): ReadableStream<Uint8Array> {
  const reader = input.getReader();
  let read = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await reader.read();
      if (r.done) {
        reader.releaseLock();
        if (read < expected) controller.error(new InputShrankError(read, expected));
        else controller.close();
        return;
      }
      read += r.value.length;
      controller.enqueue(r.value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
