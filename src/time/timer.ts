/**
 * One-shot and repeating timers that cost nothing to start using.
 *
 * A process's first `setTimeout`, `setInterval` or `clearTimeout` costs ≈ 7 ms (measured
 * 6.6–9.0 ms with Deno 2.9; after it, loading `node:util` takes 2 ms instead of 8: the global
 * timers share the Node compatibility layer's set-up), and every disbatch process used one on
 * its way to the first task (a connect or handshake timeout, a heartbeat);
 * `AbortSignal.timeout` runs on the runtime's own timers and costs ≈ 0.3 ms.
 *
 * Like `setTimeout`, a pending timer keeps the process alive until it fires; a cancelled one
 * does not. (The runtime keeps a timeout signal's timer referenced only while the signal has
 * an abort listener, so cancelling removes the listener: a cancelled connect or answer timeout
 * left every client command lingering until its deadline, 5–10 s after its work was done.)
 * @module
 */

/** A started timer. */
export interface Timer {
  /** Stops it: the callback does not run (again). Calling it twice is harmless. */
  cancel(): void;
}

/**
 * The longest single delay: the runtime's timers, like setTimeout, take a longer one (more than
 * 24.8 days, e.g. a task timeout of 3,000,000 s) as 1 ms.
 */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Calls `fn` once, `ms` milliseconds from now (any `ms`: long delays run in steps). */
export function after(ms: number, fn: () => void): Timer {
  let signal: AbortSignal | null = null;
  let listener: (() => void) | null = null;
  const arm = (left: number) => {
    const step = Math.min(Math.max(0, left), MAX_DELAY_MS);
    const s = AbortSignal.timeout(step);
    const l = () => {
      if (left > step) return arm(left - step);
      signal = listener = null;
      fn();
    };
    signal = s;
    listener = l;
    s.addEventListener("abort", l, { once: true });
  };
  arm(ms);
  return {
    cancel: () => {
      signal?.removeEventListener("abort", listener!);
      signal = listener = null;
    },
  };
}

/** Calls `fn` every `ms` milliseconds (each period starts when the previous one ended). */
export function every(ms: number, fn: () => void): Timer {
  let live = true;
  let current: Timer;
  const arm = () => {
    current = after(ms, () => {
      if (!live) return;
      arm();
      fn();
    });
  };
  arm();
  return {
    cancel: () => {
      live = false;
      current.cancel();
    },
  };
}
