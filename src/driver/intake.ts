/**
 * Task intake: what the driver reads from its task source and when, and what each item means —
 * normal tasks (queued, or skipped on resume), barriers (held until everything before them is
 * done), per-engine commands (sent to every engine, now and later) and the end of the input.
 * Pure: the driver reads the source and carries out the returned actions.
 * @module
 */
import type { ResumeIndex } from "../status/resume_index.ts";
import type { TaskRecord } from "../status/task_record.ts";
import type { BarrierItem, NormalItem, PerEngineItem, TaskItem } from "../taskfile/task_item.ts";
import { resumeSkip, type Skip } from "./resume_skip.ts";

/**
 * What an item asks of the driver: the input ended (`noTasks`: it held no task), tell every
 * engine a per-engine command or the end of those, record a task resume skips, queue a task,
 * or start the run's context (the first task that must run is here).
 */
export type IntakeAction =
  | { t: "eof"; noTasks: boolean }
  | { t: "pe_end" }
  | { t: "pe"; item: PerEngineItem }
  | { t: "skip"; skip: Skip }
  | { t: "enqueue"; item: NormalItem }
  | { t: "launch_context" };

/** Intake state of one run (see module doc). */
export class Intake {
  readonly #resume: ResumeIndex | null;
  readonly #opts: { retry: boolean; force: boolean };
  readonly #keep: (command: Uint8Array) => Uint8Array;
  readonly #peStart: PerEngineItem[] = [];
  readonly #peStop: PerEngineItem[] = [];
  #peClosed = false;
  #pulling = false;
  #eof = false;
  #barrier: BarrierItem | null = null;
  #barrierStart = 0;
  #contextLaunched = false;
  /** Read one more item even without a free slot (to learn whether the input has ended). */
  #pullToEnd = false;
  #normalTasks = 0;
  #skipped = 0;

  /**
   * `opts`: `-R` (run failures again), `--force-resume`, and what makes the command of an item
   * that is held (a task queued, a per-engine command) its own (ItemSource.keep): the command
   * of a task resume skips is never copied.
   */
  constructor(
    resume: ResumeIndex | null,
    opts: { retry: boolean; force: boolean; keep?: (command: Uint8Array) => Uint8Array },
  ) {
    this.#resume = resume;
    this.#opts = { retry: opts.retry, force: opts.force };
    this.#keep = opts.keep ?? ((command) => command);
  }

  /** The source has ended. */
  get eof(): boolean {
    return this.#eof;
  }

  /** A barrier is waiting. */
  get barrier(): boolean {
    return this.#barrier !== null;
  }

  /** A read of the source is under way. */
  get pulling(): boolean {
    return this.#pulling;
  }

  /** The run's context was started (or, with `-S`, asked for). */
  get contextLaunched(): boolean {
    return this.#contextLaunched;
  }

  /** Normal tasks read (run or skipped). */
  get normalTasks(): number {
    return this.#normalTasks;
  }

  /** Tasks skipped by resume. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Per-engine commands so far (START then STOP) and whether their block is closed. */
  get perEngine(): { items: PerEngineItem[]; closed: boolean } {
    return { items: [...this.#peStart, ...this.#peStop], closed: this.#peClosed };
  }

  /** The per-engine command an engine reports a result of. */
  perEngineItem(kind: "START" | "STOP", index: number): PerEngineItem | undefined {
    return (kind === "START" ? this.#peStart : this.#peStop)[index];
  }

  /**
   * Whether to read one more item now: never while stopping, reading, at a barrier or after
   * the end; before any context exists, until the first task that must run; else while the
   * tasks waiting do not fill the free slots (counted only then: it takes a look at every
   * engine).
   */
  wants(stopping: boolean, pending: number, freeSlots: () => number): boolean {
    if (this.#pulling || this.#eof || this.#barrier || stopping) return false;
    if (!this.#contextLaunched || this.#pullToEnd) return true;
    return pending < freeSlots();
  }

  /** Whether to read on only to learn if anything is left (nothing read waits, `pending`). */
  learnsEnd(pending: number): boolean {
    return !this.#pulling && !this.#eof && !this.#barrier && pending === 0;
  }

  /** Work is left: tasks read but not finished (`outstanding`), a waiting barrier, or unread input. */
  leftOver(outstanding: number): boolean {
    return outstanding > 0 || !this.#eof || this.#barrier !== null;
  }

  /** A read has started. */
  pullStarted(): void {
    this.#pulling = true;
  }

  /** The read ended (with an item or an error). */
  pullEnded(): void {
    this.#pulling = false;
  }

  /** The next read is to learn whether the input has ended (nothing can run a new task). */
  learnEof(): void {
    this.#pullToEnd = true;
  }

  /**
   * Takes the item read at time `t` (used for a barrier only; null: the end). Throws
   * ResumeMismatchError for a task that differs from its resume record.
   */
  take(item: TaskItem | null, t: number): IntakeAction[] {
    if (item === null) {
      this.#eof = true;
      const out: IntakeAction[] = this.#peClosed ? [] : [this.#closePerEngine()];
      out.push({ t: "eof", noTasks: this.#normalTasks === 0 });
      return out;
    }
    switch (item.kind) {
      case "PEND":
        return [this.#closePerEngine()];
      case "START":
      case "STOP":
        item.command = this.#keep(item.command);
        (item.kind === "START" ? this.#peStart : this.#peStop).push(item);
        return [{ t: "pe", item }];
      case "B":
      case "C":
        this.#barrier = item;
        this.#barrierStart = t;
        return [];
      case "N": {
        this.#normalTasks++;
        const skip = resumeSkip(this.#resume, item, this.#opts);
        if (skip) {
          this.#skipped++;
          return [{ t: "skip", skip }];
        }
        this.#pullToEnd = false;
        item.command = this.#keep(item.command);
        const out: IntakeAction[] = [{ t: "enqueue", item }];
        if (!this.#contextLaunched) {
          this.#contextLaunched = true;
          out.push({ t: "launch_context" });
        }
        return out;
      }
    }
  }

  #closePerEngine(): IntakeAction {
    this.#peClosed = true;
    return { t: "pe_end" };
  }

  /**
   * Passes the waiting barrier at time `t` and returns its status record (`host`, `pid`: the
   * driver's), or null when no barrier waits or tasks before it are not done (`outstanding`).
   */
  passBarrier(
    outstanding: number,
    t: number,
    host: string,
    pid: number,
  ): { item: BarrierItem; record: TaskRecord } | null {
    const b = this.#barrier;
    if (!b || outstanding > 0) return null;
    this.#barrier = null;
    const record: TaskRecord = {
      kind: b.kind,
      taskId: b.taskId,
      line: b.line,
      repeat: -1,
      host,
      pid,
      rc: 0,
      start: this.#barrierStart,
      finish: t,
      outBytes: 0,
      outSnippet: "",
      errBytes: 0,
      errSnippet: "",
      command: b.text,
    };
    return { item: b, record };
  }
}
