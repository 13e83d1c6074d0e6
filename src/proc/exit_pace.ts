/**
 * When to wait for children's exits on the main thread. The watcher's usual wait runs on a
 * pool thread (a non-blocking FFI call), and each exit then travels back to the main thread:
 * about 35 µs of CPU per round trip here, on top of the wake-ups of two threads. While exits
 * come every few milliseconds (a run of short tasks), the main thread does better to block in
 * `epoll_wait` itself for about the expected gap, between two turns of the event loop; a wait
 * that sees nothing in that time sends it back to the pool thread until the next exit.
 *
 * Pure: times are given (milliseconds, any monotonic origin).
 * @module
 */

/** Exits further apart than this on average are waited for off the main thread. */
export const HOT_GAP_MS = 10;
/** The longest a wait on the main thread blocks the event loop (timers, sockets, signals). */
export const HOT_WAIT_MAX_MS = 10;

/** The recent pace of exits, and the decision it implies. */
export class ExitPace {
  #last = Number.NaN;
  /** Smoothed gap between exits (ms); Infinity until two exits were seen. */
  #gap = Number.POSITIVE_INFINITY;
  /** Set when a wait on the main thread saw nothing: off the thread until the next exit. */
  #cold = false;
  readonly #hotGapMs: number;

  /** `hotGapMs` replaces {@link HOT_GAP_MS} (Infinity: always on the main thread, for tests). */
  constructor(hotGapMs = HOT_GAP_MS) {
    this.#hotGapMs = hotGapMs;
  }

  /** A child exited at `now`. */
  exited(now: number): void {
    if (!Number.isNaN(this.#last)) {
      const d = Math.max(0, now - this.#last);
      this.#gap = this.#gap === Number.POSITIVE_INFINITY ? d : 0.75 * this.#gap + 0.25 * d;
    }
    this.#last = now;
    this.#cold = false;
  }

  /**
   * How long the next wait may block the main thread (ms, at least 1), or null when it should
   * run off the main thread.
   */
  hotTimeout(): number | null {
    if (this.#cold || !(this.#gap <= this.#hotGapMs)) return null;
    return Math.min(HOT_WAIT_MAX_MS, Math.max(1, Math.round(2 * this.#gap)));
  }

  /** A wait on the main thread of the full timeout saw no event. */
  missed(): void {
    this.#cold = true;
  }
}
