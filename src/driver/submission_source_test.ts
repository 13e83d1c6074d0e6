import assert from "node:assert/strict";
import { SubmissionSource } from "./submission_source.ts";
import { TaskFileError } from "../taskfile/task_parser.ts";

const enc = new TextEncoder();

Deno.test("submissions get ids at once and are served without look-ahead", async () => {
  const s = new SubmissionSource(false);
  assert.deepEqual(s.submit(enc.encode("echo one")), { first: 0, next: 1, line: 1 });
  // A value may hold several lines; they share its line number (spec §12.4).
  assert.deepEqual(s.submit(enc.encode("exit 3\necho two-in-one")), { first: 1, next: 3, line: 2 });
  assert.deepEqual(s.submit(enc.encode("#DISBATCH BARRIER")), { first: 3, next: 4, line: 3 });
  assert.deepEqual(s.submit(enc.encode("#DISBATCH REPEAT 3 echo r")), {
    first: 4,
    next: 7,
    line: 4,
  });
  const kinds: string[] = [];
  for (let i = 0; i < 8; i++) {
    const item = await s.next();
    kinds.push(`${item!.kind}${"taskId" in item! ? item!.taskId : ""}`);
  }
  assert.deepEqual(kinds, ["PEND", "N0", "N1", "N2", "B3", "N4", "N5", "N6"]);
  // Nothing queued: next() waits for the next submission, which it then serves at once.
  const pending = s.next();
  s.submit(enc.encode("echo later"));
  assert.equal(((await pending) as { taskId: number }).taskId, 7);
  s.end();
  assert.equal(await s.next(), null);
  assert.throws(() => s.submit(enc.encode("echo x")));
});

Deno.test("a bad directive rejects its submission and nothing else", async () => {
  const s = new SubmissionSource(false);
  assert.throws(() => s.submit(enc.encode("#DISBATCH BOGUS")), TaskFileError);
  assert.deepEqual(s.submit(enc.encode("echo ok")), { first: 0, next: 1, line: 2 });
  assert.equal((await s.next())!.kind, "PEND");
  assert.equal((await s.next())!.kind, "N");
  s.end();
  assert.equal(await s.next(), null);
});
