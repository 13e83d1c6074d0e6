/**
 * One long-lived monitor connection to a driver, shared by everything that shows a run live
 * (terminal monitor, progress line, web dashboard): it follows state snapshots, asks for soft
 * shutdowns on the same connection, and learns how the run ended.
 * @module
 */
import type { RunState } from "../protocol/messages.ts";
import type { DriverToClient } from "../protocol/client_messages.ts";
import { connectToRun, type RunConnection, type RunHandle } from "./run_client.ts";

/** What a {@link RunWatcher} tells its listeners. */
export interface WatchListener {
  /** A new snapshot. */
  state?(state: RunState): void;
  /** The connection is gone; `exitCode` is the run's when the driver said it, else null. */
  end?(exitCode: number | null): void;
}

/** A soft-shutdown target: an engine rank or a context rank. */
export type StopTarget = { engine: number } | { context: number };

/** A live run as its viewers use it ({@link RunWatcher}; fakes in tests). */
export interface StateSource {
  /** The latest snapshot, null before the first. */
  readonly state: RunState | null;
  /** True once the connection to the driver is gone. */
  readonly isEnded: boolean;
  /** The run's exit code once the driver announced the end, else null. */
  readonly exitCode: number | null;
  /** Adds a listener; returns the function that removes it. */
  listen(l: WatchListener): () => void;
  /** Asks the driver for a soft shutdown; true when it accepted. */
  stop(target: StopTarget): Promise<boolean>;
}

/**
 * Follows a run. The driver pushes a snapshot when tasks complete; snapshots are also polled
 * every `pollMs` so that changes without completions (engines joining, tasks starting) show.
 */
export class RunWatcher implements StateSource {
  readonly #conn: RunConnection;
  readonly #listeners = new Set<WatchListener>();
  readonly #acks = new Map<number, (ok: boolean) => void>();
  readonly #poll: ReturnType<typeof setInterval>;
  #nextRef = 1;
  #state: RunState | null = null;
  #exitCode: number | null = null;
  #ended = false;
  /** Resolves with the run's exit code (null when unknown) once the connection is gone. */
  readonly ended: Promise<number | null>;

  private constructor(conn: RunConnection, pollMs: number) {
    this.#conn = conn;
    this.#poll = setInterval(() => conn.send({ t: "snapshot" }), pollMs);
    this.ended = new Promise((resolve) => {
      conn.attach({
        message: (m) => this.#message(m),
        closed: () => {
          clearInterval(this.#poll);
          this.#ended = true;
          for (const done of this.#acks.values()) done(false);
          this.#acks.clear();
          for (const l of this.#listeners) l.end?.(this.#exitCode);
          resolve(this.#exitCode);
        },
      });
    });
    conn.send({ t: "watch" });
  }

  /** Connects to the run's driver (throws RunNotFoundError when it cannot be reached). */
  static async open(run: RunHandle, pollMs = 1000): Promise<RunWatcher> {
    return new RunWatcher(await connectToRun(run), pollMs);
  }

  /** The latest snapshot, null before the first. */
  get state(): RunState | null {
    return this.#state;
  }

  /** True once the connection is gone. */
  get isEnded(): boolean {
    return this.#ended;
  }

  /** The run's exit code once the driver announced the end, else null. */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /** Adds a listener; returns the function that removes it. */
  listen(l: WatchListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Asks the driver for a soft shutdown; true when it accepted. */
  stop(target: StopTarget): Promise<boolean> {
    if (this.#ended) return Promise.resolve(false);
    const ref = this.#nextRef++;
    return new Promise((resolve) => {
      this.#acks.set(ref, resolve);
      this.#conn.send({ t: "stop", ...target, ref });
    });
  }

  /** Leaves the run (the run goes on). */
  async close(): Promise<void> {
    if (!this.#ended) await this.#conn.bye();
    await this.ended;
  }

  #message(m: DriverToClient): void {
    switch (m.t) {
      case "state":
        this.#state = m.state;
        for (const l of this.#listeners) l.state?.(this.#state);
        return;
      case "ack": {
        const done = this.#acks.get(Number(m.ref));
        this.#acks.delete(Number(m.ref));
        done?.(m.ok);
        return;
      }
      case "end":
        this.#exitCode = m.exitCode;
        return;
      case "bye":
        this.#conn.close();
    }
  }
}
