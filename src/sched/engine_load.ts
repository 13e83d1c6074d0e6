/**
 * Which of the tasks an engine holds are running and which are queued there.
 *
 * While tasks are short the driver hands an engine more tasks than it has cylinders (see
 * Scheduler's prefetch), so "held" is not "running". The engine starts the tasks it receives in
 * the order they arrive, on its free cylinders, the moment one frees (before it reports the
 * result of the task that freed it), so the tasks it holds beyond its cylinders are exactly
 * its queue and they are the last ones assigned. The split is therefore computed from what the
 * driver already tracks, with no message per task start: an extra `started` message would cost
 * every task a write, a read and a wake-up of the driver, on the path that the benchmarks
 * measure. (Between a task's end and its result reaching the driver, the driver still counts
 * the finished task and the one that took its cylinder shows as queued: counts stay right,
 * which ids run may lag by one report.)
 * @module
 */

/** Tasks an engine holds, split into those running and those queued there. */
export interface EngineLoad {
  running: number;
  queued: number;
}

/** The split for an engine of `cylinders` cylinders holding `held` tasks. */
export function engineLoad(cylinders: number, held: number): EngineLoad {
  const running = Math.min(Math.max(0, cylinders), held);
  return { running, queued: held - running };
}
