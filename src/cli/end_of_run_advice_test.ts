import assert from "node:assert/strict";
import { endOfRunAdvice, type RunEnd } from "./end_of_run_advice.ts";

const base: RunEnd = {
  stoppedBy: "context_failed",
  unrun: 2,
  unrunText: "2 task(s) did not run",
  statusRecords: 0,
  statusPath: "/r/P_status.txt",
  scriptPath: "/r/P_dbUtil.sh",
  contextExplained: true,
};

Deno.test("a failed context that said why, with nothing recorded: no more lines", () => {
  assert.deepEqual(endOfRunAdvice(base), []);
});

Deno.test("a failed context after some records: the original's line, the count, resume", () => {
  assert.deepEqual(endOfRunAdvice({ ...base, statusRecords: 3 }), [
    "Some engine processes failed -- please check the logs",
    "disbatch: 2 task(s) did not run; resume with -r /r/P_status.txt",
  ]);
  assert.deepEqual(endOfRunAdvice({ ...base, statusRecords: 3, unrun: 0 }), [
    "Some engine processes failed -- please check the logs",
  ]);
});

Deno.test("a failed context that said nothing: the original's line, the count, no resume", () => {
  assert.deepEqual(endOfRunAdvice({ ...base, contextExplained: false }), [
    "Some engine processes failed -- please check the logs",
    "disbatch: 2 task(s) did not run",
  ]);
});

Deno.test("every context ended: resume is offered only when something was recorded", () => {
  const starved = { ...base, stoppedBy: "starved" as const };
  assert.deepEqual(endOfRunAdvice(starved), [
    "disbatch: every execution context has ended but 2 task(s) did not run;" +
    " add resources with /r/P_dbUtil.sh",
  ]);
  assert.deepEqual(endOfRunAdvice({ ...starved, statusRecords: 1 }), [
    "disbatch: every execution context has ended but 2 task(s) did not run;" +
    " add resources with /r/P_dbUtil.sh or resume with -r /r/P_status.txt",
  ]);
});

Deno.test("other endings say nothing here", () => {
  for (const stoppedBy of [null, "fail_fast", "check", "signal"] as const) {
    assert.deepEqual(endOfRunAdvice({ ...base, stoppedBy, statusRecords: 5 }), []);
  }
});
