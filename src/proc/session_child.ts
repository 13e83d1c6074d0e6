/**
 * A child started in a session of its own by the FFI spawner, as its callers see it: where its
 * output and end go, and the handle they get back.
 * @module
 */
import type { SessionStatus } from "./wait_status.ts";

/** Where a watched child's output and end go. */
export interface ChildCallbacks {
  /** Receives each chunk read from the child's stdout (the buffer is reused afterwards). */
  onStdout(chunk: Uint8Array): void;
  /** Receives each chunk read from the child's stderr (the buffer is reused afterwards). */
  onStderr(chunk: Uint8Array): void;
  /**
   * Called synchronously, once, when the child has exited and both pipes have reached end of
   * file (or were given up), before any callback of `status` or `drained` runs. It may start
   * other children: a caller that keeps one child per slot starts the next one here, straight
   * from the event, without a detour through promise callbacks.
   */
  onDone?(status: SessionStatus): void;
}

/** A watched child; it leads its own session and group. */
export interface SessionChild {
  readonly pid: number;
  /** Resolves once the child exited (never rejects). */
  readonly status: Promise<SessionStatus>;
  /** When the child was reaped (epoch milliseconds), or null before. */
  readonly exitedAt: number | null;
  /** Resolves once both pipes reached end of file or were given up. */
  readonly drained: Promise<void>;
  /** Stops reading the pipes and closes them (a background grandchild may hold them open). */
  abandonPipes(): void;
}
