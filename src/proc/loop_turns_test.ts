import assert from "node:assert/strict";
import { LoopTurns } from "./loop_turns.ts";

Deno.test("LoopTurns: one call per next(), never inside it, after queued microtasks", async () => {
  const seen: string[] = [];
  const done = Promise.withResolvers<void>();
  const turns = new LoopTurns(() => {
    seen.push("turn");
    if (seen.filter((s) => s === "turn").length === 3) done.resolve();
  });
  turns.next();
  seen.push("after next");
  queueMicrotask(() => seen.push("microtask"));
  turns.next();
  turns.next();
  await done.promise;
  turns.close();
  assert.deepEqual(seen, ["after next", "microtask", "turn", "turn", "turn"]);
});

Deno.test("LoopTurns: close() drops the calls not made yet, and next() opens a port again", async () => {
  let calls = 0;
  const again = Promise.withResolvers<void>();
  const turns = new LoopTurns(() => {
    calls++;
    again.resolve();
  });
  turns.next();
  turns.close();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(calls, 0);
  turns.next();
  await again.promise;
  turns.close();
  assert.equal(calls, 1);
});
