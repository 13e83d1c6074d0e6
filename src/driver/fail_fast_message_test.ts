import assert from "node:assert/strict";
import { failFastMessage } from "./fail_fast_message.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("the fail-fast line names the task, its line, its return code and its command", () => {
  assert.equal(
    failFastMessage({ what: "task 1", line: 2, rc: -15, command: enc("sleep 0.3; exit 1") }),
    "Quitting early due to task failure with --fail-fast: task 1 (line 2) exited with -15:" +
      " sleep 0.3; exit 1",
  );
});

Deno.test("the fail-fast line stays one bounded line whatever the command", () => {
  const m = failFastMessage({
    what: "PERENGINE START 0",
    line: 1,
    rc: 3,
    command: enc(`x\u2028\x1b${"y".repeat(5000)}`),
  });
  for (const c of ["\n", "\r", "\u2028", "\x1b"]) assert.ok(!m.includes(c), m);
  assert.ok(m.endsWith("y…") && m.length < 400, m);
  assert.ok(m.includes("PERENGINE START 0 (line 1) exited with 3: x\\u2028\\x1b"), m);
});
