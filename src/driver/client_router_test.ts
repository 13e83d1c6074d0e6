import assert from "node:assert/strict";
import { ClientRouter, resultView } from "./client_router.ts";
import { SubmissionSource } from "./submission_source.ts";
import { sampleRecord } from "./sample_record.ts";

const rec = (taskId: number, rc = 0) =>
  sampleRecord(taskId, rc, {
    pid: 5,
    start: 1,
    finish: 3.5,
    outBytes: 2,
    outSnippet: "o\n",
    command: new TextEncoder().encode("echo é"),
  });

Deno.test("final records go to the client that submitted them, once", () => {
  const r = new ClientRouter<string>();
  r.add("a");
  r.routeIds(3, 6, "a");
  assert.equal(r.take(4), "a");
  assert.equal(r.take(4), undefined);
  assert.equal(r.take(6), undefined);
  r.drop("a");
  assert.equal(r.take(3), undefined, "a client gone takes nothing more");
  assert.equal(r.observers.size, 0);
});

Deno.test("watchers are observers that want every change; dropping forgets both", () => {
  const r = new ClientRouter<string>();
  r.add("m");
  r.watch("m");
  r.add("n");
  r.drop("m");
  assert.deepEqual([...r.observers], ["n"]);
  assert.equal(r.watchers.size, 0);
});

Deno.test("submissions: ids told, results routed unless declined, rejected when closed", () => {
  const r = new ClientRouter<string>();
  const src = new SubmissionSource(false);
  const ok = r.submit(src, ["echo a", "echo b\necho c"], true, "c1");
  assert.deepEqual(ok, {
    t: "accepted",
    ids: [{ first: 0, next: 1, line: 1 }, { first: 1, next: 3, line: 2 }],
  });
  assert.equal(r.take(2), "c1");
  r.submit(src, ["echo d"], false, "c2");
  assert.equal(r.take(3), undefined);
  assert.deepEqual(r.submit(null, ["x"], true, "c1"), {
    t: "rejected",
    message: "this run does not accept submissions now",
  });
});

Deno.test("a bad value is rejected with the ids of the values before it", () => {
  const r = new ClientRouter<string>();
  const src = new SubmissionSource(false);
  const reply = r.submit(src, ["echo a", "#DISBATCH NOSUCH", "echo c"], true, "c");
  assert.equal(reply.t, "rejected");
  assert.deepEqual(reply.t === "rejected" && reply.accepted, [{ first: 0, next: 1, line: 1 }]);
});

Deno.test("the result view has the keys of spec §12.4", () => {
  const v = resultView(rec(4, 2));
  assert.deepEqual(Object.keys(v), [
    "Flags",
    "TaskId",
    "TaskStreamIndex",
    "TaskRepIndex",
    "Host",
    "PID",
    "ReturnCode",
    "Elapsed",
    "Start",
    "End",
    "OutBytes",
    "OutData",
    "ErrBytes",
    "ErrData",
    "TaskCmd",
  ]);
  assert.equal(v.Flags, "RO  ");
  assert.equal(v.Elapsed, 2.5);
  assert.equal(v.TaskCmd, "echo é");
});
