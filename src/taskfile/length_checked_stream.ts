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
 * A byte stream (a file's) gives a byte stream, read into the reader's own buffer: a BYOB
 * reader (line_reader.ts) then reads the file into one buffer again and again.
 */
export function lengthChecked(
  input: ReadableStream<Uint8Array>,
  expected: number,
): ReadableStream<Uint8Array> {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = input.getReader({ mode: "byob" });
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return chunksChecked(input.getReader(), expected); // not a byte stream
  }
  let read = 0;
  return new ReadableStream({
    type: "bytes",
    // A default reader's read, too, comes with a buffer to read into.
    autoAllocateChunkSize: 64 * 1024,
    async pull(controller) {
      const request = controller.byobRequest!;
      // The request's buffer is transferred to the input and back, filled.
      const r = await byob.read(request.view as Uint8Array);
      if (r.done) {
        byob.releaseLock();
        if (read < expected) controller.error(new InputShrankError(read, expected));
        else {
          controller.close();
          if (r.value) request.respondWithNewView(r.value);
        }
        return;
      }
      read += r.value.length;
      request.respondWithNewView(r.value);
    },
    async cancel(reason) {
      await byob.cancel(reason);
    },
  });
}

/** {@link lengthChecked} of a stream of chunks: they are passed on as they come. */
function chunksChecked(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  expected: number,
): ReadableStream<Uint8Array> {
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
