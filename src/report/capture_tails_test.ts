import assert from "node:assert/strict";
import { attemptFor } from "./capture_tails.ts";
import type { LocatedAttempt } from "../capture/capture_reader.ts";

Deno.test("attemptFor: the ended attempt that started closest to the status record", () => {
  const a = (startedMs: number, ended: boolean): LocatedAttempt => ({
    taskId: 4,
    startedMs,
    out: [],
    err: [],
    end: ended ? { outSeen: 1, errSeen: 0, truncated: false } : null,
    data: "P_capture_0.out",
  });
  const first = a(1_000_000, true), lost = a(1_005_000, false), retry = a(1_010_000, true);
  const all = [first, lost, retry];
  assert.equal(attemptFor(all, { start: 1000.002 }), first);
  assert.equal(attemptFor(all, { start: 1009.9 }), retry);
  assert.equal(attemptFor(all, { start: 1005 }), first, "an attempt that never ended is not it");
  assert.equal(attemptFor([lost], { start: 1005 }), null);
  assert.equal(attemptFor([], { start: 1 }), null);
});
