import assert from "node:assert/strict";
import type { RunOutcome } from "../driver/driver.ts";
import { RunFileError } from "../log/run_file_error.ts";
import { exitCodeFor } from "./exit_code_for.ts";

const base: RunOutcome = { failures: 0, normalTasks: 1, stoppedBy: null, unrun: 0 };

Deno.test("exitCodeFor: each stopping signal is 128 + its number", () => {
  const codes = (["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM"] as const).map((signal) =>
    exitCodeFor({ ...base, stoppedBy: "signal", signal }, false)
  );
  assert.deepEqual(codes, [129, 130, 131, 143]);
});

Deno.test("exitCodeFor: a lost status line is 4, even when a signal came too", () => {
  const error = new RunFileError(
    "P_status.txt",
    new Error("No space left on device (os error 28)"),
  );
  assert.equal(exitCodeFor({ ...base, stoppedBy: "status_write", error }, false), 4);
  assert.equal(
    exitCodeFor(
      { ...base, stoppedBy: "status_write", error, signal: "SIGTERM", failures: 2 },
      true,
    ),
    4,
  );
  assert.equal(exitCodeFor({ ...base, failures: 2 }, true), 1);
});

Deno.test("exitCodeFor: an internal error of the driver is 1, with or without -e", () => {
  const error = new TypeError("a bug");
  assert.equal(exitCodeFor({ ...base, stoppedBy: "internal_error", error }, false), 1);
  assert.equal(exitCodeFor({ ...base, stoppedBy: "internal_error", error }, true), 1);
});

Deno.test("exitCodeFor: stopped at the job's end with work left is 75; with none, a normal end", () => {
  const wall: RunOutcome = { ...base, stoppedBy: "walltime" };
  assert.equal(exitCodeFor({ ...wall, resumable: true, failures: 1 }, true), 75);
  assert.equal(exitCodeFor(wall, false), 0);
  assert.equal(exitCodeFor({ ...wall, failures: 1 }, true), 1);
});
