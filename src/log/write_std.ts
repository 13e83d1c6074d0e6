/**
 * Writing to the process's own stdout or stderr when nobody may be reading any more: a pipe
 * whose reader has gone (`disbatch … | head -1`: EPIPE), a closed descriptor (EBADF), a
 * terminal that was hung up (EIO). The run must go on — the status file is its record — so
 * such writes are dropped.
 * @module
 */
import { writeAllSync } from "./write_all_sync.ts";

/** Error codes of a stream nobody reads any more. */
const GONE = new Set(["EPIPE", "EBADF", "EIO"]);

/** True when `e` says the stream's reader is gone. */
export function isStreamGone(e: unknown): boolean {
  if (e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.BadResource) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && GONE.has(code);
}

/** Writes all of `text` to `sink` (`Deno.stdout`, `Deno.stderr`); a gone reader drops it. */
export function writeStd(sink: { writeSync(p: Uint8Array): number }, text: string): void {
  try {
    writeAllSync(sink, text);
  } catch (e) {
    if (!isStreamGone(e)) throw e;
  }
}
