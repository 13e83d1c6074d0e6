/**
 * Test material: well-formed values of what travels inside messages, as the driver builds
 * them (the direction tests and the documentation test start from these).
 * @module
 */
import type { RunInfo, RunState, TaskOutcome, TaskResult } from "./messages.ts";

/** A {@link RunInfo} as in `eng_accept` and `ctx_accept`. */
export function sampleRunInfo(): RunInfo {
  return {
    jobId: "run",
    nameTasks: "run",
    prefix: "/home/me/run",
    cwd: "/home/me",
    address: "10.0.0.5:41234",
    defaults: { cpusPerTask: 1, tasksPerNode: -1, envResource: ["CUDA_VISIBLE_DEVICES"] },
    heartbeat: { intervalMs: 5000, timeoutMs: 30000 },
  };
}

/** A {@link TaskOutcome} as an engine measures it. */
export function sampleOutcome(): TaskOutcome {
  return {
    pid: 4242,
    rc: -124,
    start: 1700000000.101,
    finish: 1700000000.105,
    outBytes: 6,
    outSnippet: "hello\n",
    errBytes: 0,
    errSnippet: "",
  };
}

/** A {@link TaskResult} as routed to a client. */
export function sampleTaskResult(): TaskResult {
  return {
    Flags: "R   ",
    TaskId: 3,
    TaskStreamIndex: 3,
    TaskRepIndex: -1,
    Host: "node17",
    PID: 4242,
    ReturnCode: 3,
    Elapsed: 0.004,
    Start: 1700000000.101,
    End: 1700000000.105,
    OutBytes: 0,
    OutData: "",
    ErrBytes: 0,
    ErrData: "",
    TaskCmd: "exit 3",
  };
}

/** A {@link RunState} with one engine, one context and one failure. */
export function sampleRunState(): RunState {
  return {
    prefix: "/home/me/run",
    jobId: "run",
    driverHost: "node17",
    driverPid: 999,
    started: 1700000000.5,
    now: 1700000010.25,
    total: null,
    eof: false,
    done: 7,
    failed: 1,
    skipped: 0,
    running: 2,
    queued: 1,
    waiting: 4,
    barriers: 0,
    rate: 0.7,
    eta: null,
    stoppedBy: null,
    finished: false,
    exitCode: null,
    engines: [{
      rank: 0,
      contextRank: 0,
      node: "node17",
      host: "node17.cluster",
      pid: 1000,
      cylinders: 2,
      status: "running",
      tasks: [8, 9, 10],
      running: 2,
      queued: 1,
      assigned: 11,
      finished: 8,
      failed: 1,
      silentFor: 0.4,
      since: 1700000001.5,
    }],
    engineTotals: {
      engines: 1,
      starting: 0,
      running: 1,
      draining: 0,
      stopped: 0,
      lost: 0,
      cylinders: 2,
    },
    contexts: [{
      rank: 0,
      label: "SSH0",
      host: "node17",
      nodes: ["node17"],
      nodeCount: 1,
      engines: 1,
      connected: true,
    }],
    recentFailures: [{
      taskId: 3,
      line: 4,
      rc: 3,
      host: "node17",
      command: "exit 3",
      finish: 1700000003.5,
    }],
    failedIds: [3],
  };
}
