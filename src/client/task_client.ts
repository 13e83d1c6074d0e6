/**
 * Programs as task sources: submit tasks to a running task server (`disbatch --taskserver`),
 * get each task's result back as it finishes, and end the task stream. The wire protocol is
 * described in `docs/protocol.md`; this module is its TypeScript client.
 *
 * Task ids are the run's: the first task submitted to a run is 0, a `REPEAT n` value takes n
 * ids, a `BARRIER` one. Directive
 * state (`PREFIX`, `SUFFIX`, `TIMEOUT`) belongs to the run's single task stream, so it is
 * shared by every client of the run.
 *
 * @example A tour: start a task server, submit, wait, end the run
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   RunEndedError,
 *   RunNotFoundError,
 *   SubmitRejectedError,
 *   TaskClient,
 *   TaskClientError,
 *   type TaskResult,
 * } from "./task_client.ts";
 *
 * // A task server on two local slots (`scripts/disbatch` runs disbatch from the repository).
 * const dir = await Deno.makeTempDir();
 * const server = new Deno.Command(new URL("../../scripts/disbatch", import.meta.url), {
 *   args: ["--taskserver", "-s", "localhost:2", "-p", `${dir}/demo`],
 *   stdout: "piped",
 * }).spawn();
 * // It prints "Task server ready" once clients can connect.
 * const said = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
 * for (let out = ""; !out.includes("ready");) {
 *   const { value, done } = await said.read();
 *   if (done) throw new Error("the task server did not start");
 *   out += value;
 * }
 *
 * const client = await TaskClient.connect(`${dir}/demo`);
 * // Each value is a line of the run's task stream; ids are given as in a task file.
 * const ids = await client.submit(["echo one", "#DISBATCH REPEAT 2 echo rep $DISBATCH_REPEAT_INDEX"]);
 * assert.deepEqual(ids, [0, 1, 2]);
 * const results: Map<number, TaskResult> = await client.waitForIds(ids);
 * assert.equal(results.get(0)?.OutData, "one\n");
 * assert.equal(results.get(2)?.OutData, "rep 1\n");
 *
 * // Results one at a time, in the order the tasks finish.
 * await client.submit(["sleep 0.3; echo slow", "echo quick"]);
 * assert.equal((await client.waitForOne()).OutData, "quick\n");
 * assert.equal((await client.waitForOne()).OutData, "slow\n");
 * await assert.rejects(client.waitForOne(), TaskClientError); // none of ours is pending
 *
 * // A malformed directive is refused; nothing else is affected.
 * await assert.rejects(client.submit("#DISBATCH BOGUS"), SubmitRejectedError);
 *
 * // The last tasks; then the stream ends (for every client) and the run finishes.
 * const last = await client.submit(["sleep 0.3; exit 3", "#DISBATCH BARRIER CHECK", "echo never"]);
 * await client.done();
 * // The failed CHECK stopped the run: the task after it never ran, and the run exits 1.
 * const ended = await client.waitForIds([last[2]]).catch((e) => e);
 * assert.ok(ended instanceof RunEndedError && ended.exitCode === 1);
 * await client.close();
 * assert.equal((await server.status).code, 1);
 * await assert.rejects(TaskClient.connect(`${dir}/demo`), RunNotFoundError); // it has ended
 *
 * await said.cancel();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import {
  connectToRun,
  openRun,
  type RunConnection,
  RunNotFoundError,
} from "../monitor/run_client.ts";
import { DbUtilFormatError } from "../protocol/db_util_script.ts";
import { MAX_LINE_BYTES } from "../protocol/ndjson.ts";
import type { IdRange, TaskResult } from "../protocol/messages.ts";
import type { ClientToDriver, DriverToClient } from "../protocol/client_messages.ts";

export { RunNotFoundError };
export type { TaskResult };

/** Misuse of a client or a refusal by the driver. */
export class TaskClientError extends Error {
  override name = "TaskClientError";
}

/**
 * The driver refused a submitted value (a malformed `#DISBATCH` directive, or the run no
 * longer takes tasks). Values before it were accepted and will run: their ids are in
 * `accepted`. A call whose values travelled in several requests may have had values after the
 * refused one accepted as well; they are in `accepted` too.
 */
export class SubmitRejectedError extends TaskClientError {
  /** Ids of the tasks of this call that were accepted (their results will come). */
  readonly accepted: number[];
  constructor(message: string, accepted: number[]) {
    super(message);
    this.name = "SubmitRejectedError";
    this.accepted = accepted;
  }
}

/** The run ended (or its driver went away) before the awaited results came. */
export class RunEndedError extends TaskClientError {
  /** The run's exit code when the driver announced it, else null. */
  readonly exitCode: number | null;
  /** Task ids whose results did not come (for {@link TaskClient.waitForIds}). */
  readonly missing: number[];
  constructor(message: string, exitCode: number | null, missing: number[] = []) {
    super(message);
    this.name = "RunEndedError";
    this.exitCode = exitCode;
    this.missing = missing;
  }
}

/** Requests awaiting the driver's answer at once: bounds what the driver must buffer. */
const WINDOW = 8;
/** Values per submit request, and their encoded size, well under the line cap. */
const BATCH_VALUES = 1000;
const BATCH_BYTES = 1024 * 1024;
/** Room for the request's own fields around one value. */
const ENVELOPE_BYTES = 1024;

const encoder = new TextEncoder();

/** A request that the driver answers (`ref` is added when it is sent). */
type Request = Extract<ClientToDriver, { t: "submit" | "end_stream" }>;

interface Pending {
  msg: Request;
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

interface Reply {
  ids: number[];
  rejected?: string;
  ok?: boolean;
}

interface IdWaiter {
  ids: number[];
  missing: number;
  resolve(results: Map<number, TaskResult>): void;
  reject(error: Error): void;
}

function expand(ranges: IdRange[] | undefined): number[] {
  const ids: number[] = [];
  for (const r of ranges ?? []) {
    for (let id = r.first; id < r.next; id++) ids.push(id);
  }
  return ids;
}

/**
 * One connection to a task server. Results of the tasks it submitted come back to it (and to
 * no other client); they are kept until taken with {@link TaskClient.waitForOne} or
 * {@link TaskClient.waitForIds}. Closing the client does not stop the run.
 */
export class TaskClient {
  readonly #conn: RunConnection;
  #nextRef = 1;
  /** Requests not sent yet (the window is full), in call order. */
  readonly #queue: Pending[] = [];
  readonly #inFlight = new Map<number, Pending>();
  /** Ids submitted whose result has not come yet. */
  readonly #outstanding = new Set<number>();
  /** Results not handed out yet, in arrival order. */
  readonly #arrived = new Map<number, TaskResult>();
  readonly #claims = new Map<number, IdWaiter>();
  readonly #oneWaiters: { resolve(r: TaskResult): void; reject(e: Error): void }[] = [];
  #exitCode: number | null = null;
  #gone: Error | null = null;
  #closing = false;

  private constructor(conn: RunConnection) {
    this.#conn = conn;
    conn.attach({
      message: (m) => this.#onMessage(m),
      closed: (error) => this.#onClosed(error),
    });
  }

  /**
   * Connects to the run with output prefix P (`target` is P or its `P_dbUtil.sh`).
   * Throws {@link RunNotFoundError} when the run cannot be found, has ended or cannot be
   * reached.
   */
  static async connect(target: string, timeoutMs = 10_000): Promise<TaskClient> {
    let run;
    try {
      run = await openRun(target);
    } catch (e) {
      if (!(e instanceof DbUtilFormatError)) throw e;
      throw new RunNotFoundError(`${target}: ${e.message}`, { cause: e });
    }
    if (run.exitCode !== null) {
      throw new RunNotFoundError(`the run ${run.creds.prefix} has ended`);
    }
    return new TaskClient(await connectToRun(run, "client", timeoutMs));
  }

  /**
   * Submits task lines; resolves with the task ids they got, in order (a REPEAT gives several,
   * a PREFIX none). Each value is one line of the run's task stream and may use any
   * `#DISBATCH` directive; a value with newlines is several lines sharing one line number.
   * Large calls travel in several requests with a bounded number awaiting the driver.
   * Throws {@link SubmitRejectedError} when the driver refuses a value.
   */
  async submit(lines: string | readonly string[]): Promise<number[]> {
    const values = typeof lines === "string" ? [lines] : lines;
    const sizes = values.map((v) => encoder.encode(JSON.stringify(v)).length + 1);
    const big = sizes.findIndex((n) => n + ENVELOPE_BYTES > MAX_LINE_BYTES);
    if (big >= 0) {
      throw new TaskClientError(`a task line of ${sizes[big]} bytes exceeds the protocol's cap`);
    }
    const replies: Promise<Reply>[] = [];
    for (let from = 0; from < values.length;) {
      let to = from;
      let bytes = 0;
      while (
        to < values.length && to - from < BATCH_VALUES &&
        (to === from || bytes + sizes[to] <= BATCH_BYTES)
      ) {
        bytes += sizes[to++];
      }
      replies.push(this.#request({ t: "submit", lines: values.slice(from, to) }));
      from = to;
    }
    const ids: number[] = [];
    let refused: string | undefined;
    for (const r of await Promise.all(replies)) {
      ids.push(...r.ids);
      refused ??= r.rejected;
    }
    if (refused !== undefined) throw new SubmitRejectedError(refused, ids);
    return ids;
  }

  /**
   * The next result of any task of this client not claimed by a pending
   * {@link TaskClient.waitForIds}, in the order they finished. Throws
   * {@link TaskClientError} when no task of this client awaits its result, and
   * {@link RunEndedError} when the run ends first.
   */
  waitForOne(): Promise<TaskResult> {
    for (const [id, r] of this.#arrived) {
      if (this.#claims.has(id)) continue;
      this.#arrived.delete(id);
      return Promise.resolve(r);
    }
    if (this.#gone) return Promise.reject(this.#gone);
    const expecting = this.#queue.length > 0 || this.#inFlight.size > 0 ||
      [...this.#outstanding].some((id) => !this.#claims.has(id));
    if (!expecting) {
      return Promise.reject(new TaskClientError("no task of this client awaits its result"));
    }
    return new Promise((resolve, reject) => this.#oneWaiters.push({ resolve, reject }));
  }

  /**
   * Resolves with the results of all `ids` (tasks this client submitted whose results were
   * not taken yet) once every one has finished. Throws {@link TaskClientError} for an id that
   * is not such a task, and {@link RunEndedError} (naming the missing ids) when the run ends
   * first.
   */
  waitForIds(ids: Iterable<number>): Promise<Map<number, TaskResult>> {
    const want = [...new Set(ids)];
    for (const id of want) {
      if (this.#claims.has(id)) {
        return Promise.reject(new TaskClientError(`task ${id} is already being waited for`));
      }
      if (!this.#arrived.has(id) && !this.#outstanding.has(id)) {
        return Promise.reject(
          new TaskClientError(`task ${id} is not a task of this client awaiting its result`),
        );
      }
    }
    return new Promise((resolve, reject) => {
      const w: IdWaiter = { ids: want, missing: 0, resolve, reject };
      for (const id of want) {
        this.#claims.set(id, w);
        if (!this.#arrived.has(id)) w.missing++;
      }
      if (w.missing === 0) this.#settle(w);
      else if (this.#gone) this.#fail(w, this.#gone);
    });
  }

  /**
   * Ends the run's task stream (for every client): the run finishes once the tasks submitted
   * so far are done. Results keep coming to this client. Throws {@link TaskClientError} when
   * the run is not a task server.
   */
  async done(): Promise<void> {
    const reply = await this.#request({ t: "end_stream" });
    if (reply.ok !== true) {
      throw new TaskClientError("the run does not take submissions (not a task server)");
    }
  }

  /** Disconnects; the run goes on (its results for this client are dropped). */
  async close(): Promise<void> {
    this.#closing = true;
    if (!this.#conn.isClosed) await this.#conn.bye();
    await this.#conn.done;
  }

  #request(msg: Request): Promise<Reply> {
    if (this.#gone) return Promise.reject(this.#gone);
    return new Promise((resolve, reject) => {
      this.#queue.push({ msg, resolve, reject });
      this.#send();
    });
  }

  #send(): void {
    while (this.#inFlight.size < WINDOW && this.#queue.length > 0) {
      const p = this.#queue.shift()!;
      const ref = this.#nextRef++;
      this.#inFlight.set(ref, p);
      this.#conn.send({ ...p.msg, ref });
    }
  }

  #onMessage(m: DriverToClient): void {
    switch (m.t) {
      case "accepted":
      case "rejected":
      case "ack": {
        const p = this.#inFlight.get(Number(m.ref));
        if (!p) return;
        this.#inFlight.delete(Number(m.ref));
        // Registered now, before any later message (a result of these ids) is handled.
        const ids = expand(m.t === "accepted" ? m.ids : m.t === "rejected" ? m.accepted : []);
        for (const id of ids) this.#outstanding.add(id);
        p.resolve({
          ids,
          ...(m.t === "rejected" ? { rejected: m.message } : {}),
          ...(m.t === "ack" ? { ok: m.ok } : {}),
        });
        this.#send();
        return;
      }
      case "result":
        this.#onResult(m.result);
        return;
      case "end":
        this.#exitCode = m.exitCode;
        return;
      case "bye":
        this.#conn.close();
        return;
    }
  }

  #onResult(r: TaskResult): void {
    const id = r.TaskId;
    this.#outstanding.delete(id);
    const w = this.#claims.get(id);
    if (w) {
      this.#arrived.set(id, r);
      if (--w.missing === 0) this.#settle(w);
      return;
    }
    const one = this.#oneWaiters.shift();
    if (one) one.resolve(r);
    else this.#arrived.set(id, r);
  }

  #settle(w: IdWaiter): void {
    const out = new Map<number, TaskResult>();
    for (const id of w.ids) {
      out.set(id, this.#arrived.get(id)!);
      this.#arrived.delete(id);
      this.#claims.delete(id);
    }
    w.resolve(out);
  }

  #fail(w: IdWaiter, gone: Error): void {
    const missing = w.ids.filter((id) => !this.#arrived.has(id));
    for (const id of w.ids) this.#claims.delete(id);
    w.reject(
      gone instanceof RunEndedError
        ? new RunEndedError(
          `${gone.message}; ${missing.length} awaited result(s) did not come`,
          gone.exitCode,
          missing,
        )
        : gone,
    );
  }

  #onClosed(error?: Error): void {
    const gone = this.#closing
      ? new TaskClientError("the client was closed")
      : this.#exitCode !== null
      ? new RunEndedError(`the run ended (exit code ${this.#exitCode})`, this.#exitCode)
      : new RunEndedError(
        `the connection to the driver was lost${error ? `: ${error.message}` : ""}`,
        null,
      );
    this.#gone = gone;
    for (const p of [...this.#inFlight.values(), ...this.#queue]) p.reject(gone);
    this.#inFlight.clear();
    this.#queue.length = 0;
    for (const w of new Set(this.#claims.values())) this.#fail(w, gone);
    for (const one of this.#oneWaiters.splice(0)) one.reject(gone);
  }
}
