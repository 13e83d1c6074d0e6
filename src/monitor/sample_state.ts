/**
 * Test material for everything that displays a run: a realistic {@link RunState} and a
 * {@link FakeSource} whose state the test sets and whose stop requests it records.
 * @module
 */
import type { EngineView, RunState } from "../protocol/messages.ts";
import { engineLoad } from "../sched/engine_load.ts";
import type { StateSource, StopTarget, WatchListener } from "./run_watcher.ts";

/** A {@link StateSource} driven by the test; it accepts stops of engine and context 0 to 9. */
export class FakeSource implements StateSource {
  state: RunState | null;
  isEnded = false;
  exitCode: number | null = null;
  /** Every stop asked for, in order. */
  readonly stops: StopTarget[] = [];
  readonly #listeners = new Set<WatchListener>();

  constructor(state: RunState | null) {
    this.state = state;
  }

  listen(l: WatchListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  stop(t: StopTarget): Promise<boolean> {
    this.stops.push(t);
    return Promise.resolve(("engine" in t ? t.engine : t.context) < 10);
  }

  /** A new snapshot arrives. */
  push(s: RunState): void {
    this.state = s;
    for (const l of this.#listeners) l.state?.(s);
  }

  /** The connection ends. */
  end(code: number | null): void {
    this.isEnded = true;
    this.exitCode = code;
    for (const l of this.#listeners) l.end?.(code);
  }
}

/**
 * An engine view with defaults for the fields a test does not care about; `running` and
 * `queued` follow from `tasks` and `cylinders` unless given.
 */
export function sampleEngine(e: Partial<EngineView> & { rank: number }): EngineView {
  return {
    ...engineLoad(e.cylinders ?? 4, e.tasks?.length ?? 0),
    contextRank: 0,
    node: `node${e.rank}`,
    host: `node${e.rank}.cluster`,
    pid: 4000 + e.rank,
    cylinders: 4,
    status: "running",
    tasks: [],
    assigned: 0,
    finished: 0,
    failed: 0,
    silentFor: 0.4,
    since: 1_700_000_000,
    ...e,
  };
}

/**
 * A run half way through: two contexts, three engines, two failures. The engine totals count
 * the engines given in `over` (every engine listed) unless it gives them too.
 */
export function sampleState(over: Partial<RunState> = {}): RunState {
  return {
    prefix: "/home/u/Tasks_disBatch_231114221320_123",
    jobId: "Tasks_disBatch_231114221320_123",
    driverHost: "login1",
    driverPid: 777,
    started: 1_700_000_000,
    now: 1_700_000_125,
    total: 1000,
    eof: true,
    done: 450,
    failed: 2,
    skipped: 0,
    running: 9,
    queued: 0,
    waiting: 541,
    barriers: 0,
    rate: 3.6,
    eta: 152.5,
    stoppedBy: null,
    finished: false,
    exitCode: null,
    engines: [
      sampleEngine({ rank: 0, tasks: [447, 448, 449, 450], assigned: 200, finished: 196 }),
      sampleEngine({
        rank: 1,
        tasks: [451, 452, 453, 454],
        assigned: 200,
        finished: 196,
        failed: 2,
      }),
      sampleEngine({
        rank: 2,
        contextRank: 1,
        node: "gpu7",
        host: "gpu7",
        cylinders: 1,
        tasks: [455],
        assigned: 59,
        finished: 58,
      }),
    ],
    engineTotals: {
      engines: over.engines?.length ?? 3,
      starting: 0,
      running: over.engines?.length ?? 3,
      draining: 0,
      stopped: 0,
      lost: 0,
      cylinders: over.engines?.reduce((n, e) => n + e.cylinders, 0) ?? 9,
    },
    contexts: [
      {
        rank: 0,
        label: "SSH0",
        host: "login1",
        nodes: ["node0", "node1"],
        nodeCount: 2,
        engines: 2,
        connected: true,
      },
      {
        rank: 1,
        label: "extra",
        host: "login1",
        nodes: ["gpu7"],
        nodeCount: 1,
        engines: 1,
        connected: true,
      },
    ],
    recentFailures: [
      {
        taskId: 17,
        line: 18,
        rc: 1,
        host: "node1",
        command: "./simulate --seed 17",
        finish: 1_700_000_020,
      },
      {
        taskId: 301,
        line: 302,
        rc: -9,
        host: "node1",
        command: "./simulate --seed 301",
        finish: 1_700_000_100,
      },
    ],
    failedIds: [17, 301],
    ...over,
  };
}
