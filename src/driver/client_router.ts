/**
 * The driver's monitors and clients: which are connected, which watch the run's state, and
 * which client submitted which task (task-server mode) so its final record goes back to it.
 * Generic over the connection type, so it is pure: the driver sends.
 * @module
 */
import type { TaskResult } from "../client/task_client.ts";
import { errorMessage } from "../log/error_message.ts";
import { elapsedOf, flagsOf } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import type { Accepted, SubmissionSource } from "./submission_source.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The §12.4 view of a final record. */
export function resultView(r: TaskRecord): TaskResult {
  return {
    Flags: flagsOf(r),
    TaskId: r.taskId,
    TaskStreamIndex: r.line,
    TaskRepIndex: r.repeat,
    Host: r.host,
    PID: r.pid,
    ReturnCode: r.rc,
    Elapsed: elapsedOf(r),
    Start: r.start,
    End: r.finish,
    OutBytes: r.outBytes,
    OutData: r.outSnippet,
    ErrBytes: r.errBytes,
    ErrData: r.errSnippet,
    TaskCmd: decoder.decode(r.command),
  };
}

/** The answer to a submission: every value's task ids, or why the rest was rejected. */
export type SubmitReply =
  | { t: "accepted"; ids: Accepted[] }
  | { t: "rejected"; message: string; accepted?: Accepted[] };

/** Monitors and clients of one run (see module doc). */
export class ClientRouter<C> {
  /** Every connected monitor and client. */
  readonly observers = new Set<C>();
  /** Those that asked for a state snapshot on every change. */
  readonly watchers = new Set<C>();
  /** Task id -> the client that submitted it. */
  readonly #routes = new Map<number, C>();

  /** A monitor or client connected. */
  add(c: C): void {
    this.observers.add(c);
  }

  /** It wants every state change. */
  watch(c: C): void {
    this.watchers.add(c);
  }

  /** It is gone: results of its tasks go nowhere. */
  drop(c: C): void {
    this.observers.delete(c);
    this.watchers.delete(c);
    for (const [id, to] of this.#routes) if (to === c) this.#routes.delete(id);
  }

  /** Final records of task ids `[first, next)` go to `c`. */
  routeIds(first: number, next: number, c: C): void {
    for (let id = first; id < next; id++) this.#routes.set(id, c);
  }

  /**
   * Task-server mode: parses a client's submitted values now (`src` null: the run takes none),
   * so it learns their ids; with `results`, their final records go back to it.
   */
  submit(
    src: Pick<SubmissionSource, "submit"> | null,
    values: string[],
    results: boolean,
    c: C,
  ): SubmitReply {
    if (!src) return { t: "rejected", message: "this run does not accept submissions now" };
    const accepted: Accepted[] = [];
    for (const value of values) {
      try {
        const a = src.submit(encoder.encode(value));
        accepted.push(a);
        if (results) this.routeIds(a.first, a.next, c);
      } catch (e) {
        return { t: "rejected", message: errorMessage(e), accepted };
      }
    }
    return { t: "accepted", ids: accepted };
  }

  /** The client a final record goes to (once: the route is then forgotten), if any. */
  take(taskId: number): C | undefined {
    const c = this.#routes.get(taskId);
    if (c !== undefined) this.#routes.delete(taskId);
    return c;
  }
}
