/**
 * What becomes of a task's result: a failed attempt with retries left runs again (its record is
 * a Z line, which every resume ignores), anything else is final; the tasks of a lost engine are
 * reissued unless the run stops or `--no-reissue` is on. Final failures may stop the run
 * (fail-fast) or fail the next BARRIER CHECK. Pure: the driver writes and sends.
 * @module
 */
import { LOST_TASK_RC, type TaskRecord } from "../status/task_record.ts";
import type { NormalItem, PerEngineItem } from "../taskfile/task_item.ts";
import { failFastMessage } from "./fail_fast_message.ts";

/** What fail-fast and BARRIER CHECK need of a failed record. */
export type FailedRecord = Pick<TaskRecord, "taskId" | "line" | "rc" | "command">;

/** A result as its engine reported it. */
export type TaskResult = Pick<
  TaskRecord,
  "pid" | "rc" | "start" | "finish" | "outBytes" | "outSnippet" | "errBytes" | "errSnippet"
>;

/** What to do with a task's result: run it again (retry `n` of `of`), or record it as final. */
export type ResultDecision = { t: "retry"; n: number; of: number } | { t: "final" };

const FINAL: ResultDecision = { t: "final" };

/** The run's options that decide (see module doc). */
export interface PolicyOptions {
  /** `--retries`. */
  retries: number;
  /** `--no-reissue`. */
  noReissue: boolean;
  /** `--fail-fast`. */
  failFast: boolean;
}

/** The status record of a task's attempt that ran on `node`. */
export function taskRecord(item: NormalItem, node: string, r: TaskResult): TaskRecord {
  return {
    kind: "N",
    taskId: item.taskId,
    line: item.line,
    repeat: item.repeat,
    host: node,
    ...r,
    command: item.command,
  };
}

/** The result fields of an event that carries more (e.g. a message). */
export function resultOf(m: TaskResult): TaskResult {
  const { pid, rc, start, finish, outBytes, outSnippet, errBytes, errSnippet } = m;
  return { pid, rc, start, finish, outBytes, outSnippet, errBytes, errSnippet };
}

/** The status record (kind P) of a per-engine command that ran on `node`; `id`: its index. */
export function perEngineRecord(
  item: PerEngineItem,
  id: number,
  node: string,
  r: TaskResult,
): TaskRecord {
  return {
    kind: "P",
    taskId: id,
    line: item.line,
    repeat: -1,
    host: node,
    ...r,
    command: item.command,
  };
}

/** The status record of a task's attempt lost with its engine on `node` at time `t`. */
export function lostRecord(item: NormalItem, node: string, assignedAt: number, t: number) {
  return taskRecord(item, node, {
    pid: -1,
    rc: LOST_TASK_RC,
    start: assignedAt,
    finish: t,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
  });
}

/** Result policy of one run (see module doc). */
export class ResultPolicy {
  readonly #opts: PolicyOptions;
  /** Retries used so far by tasks that failed at least once. */
  readonly #retriesUsed = new Map<number, number>();
  #failSinceBarrier: { taskId: number; line: number; rc: number } | null = null;
  #failures = 0;

  constructor(opts: PolicyOptions) {
    this.#opts = opts;
  }

  /** Final records with a non-zero return code. */
  get failures(): number {
    return this.#failures;
  }

  /** Task `id` ended with `rc`; `stopping`: the run is stopping (no retry then). */
  result(id: number, rc: number, stopping: boolean): ResultDecision {
    const used = this.#retriesUsed.get(id) ?? 0;
    if (rc !== 0 && !stopping && used < this.#opts.retries) {
      this.#retriesUsed.set(id, used + 1);
      return { t: "retry", n: used + 1, of: this.#opts.retries };
    }
    if (used > 0) this.#retriesUsed.delete(id);
    return FINAL;
  }

  /** A task's engine was lost: run it again (`reissue`) or record it as final. */
  lost(stopping: boolean): "reissue" | "final" {
    return !this.#opts.noReissue && !stopping ? "reissue" : "final";
  }

  /**
   * A final record failed (`what` names it: a task, or a per-engine command). Returns the
   * fail-fast message when it must stop the run.
   */
  failed(r: FailedRecord, what: string, stopping: boolean): string | null {
    this.#failures++;
    this.#failSinceBarrier ??= { taskId: r.taskId, line: r.line, rc: r.rc };
    if (!this.#opts.failFast || stopping) return null;
    return failFastMessage({ what, line: r.line, rc: r.rc, command: r.command });
  }

  /** A barrier was passed: for a BARRIER CHECK after a failure, the message that stops the run. */
  barrierPassed(b: { kind: "B" | "C"; line: number; taskId: number }): string | null {
    const f = this.#failSinceBarrier;
    if (b.kind === "C" && f) {
      return `BARRIER CHECK at line ${b.line} (task ${b.taskId}) failed: task ${f.taskId}` +
        ` (line ${f.line}) exited with ${f.rc}; stopping`;
    }
    this.#failSinceBarrier = null;
    return null;
  }
}
