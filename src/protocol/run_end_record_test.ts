import assert from "node:assert/strict";
import { sampleState } from "../monitor/sample_state.ts";
import { parseRunEnd, renderRunEnd } from "./run_end_record.ts";

const script = "#!/bin/bash\n# disbatch-prefix: /r/P\nexec true\n";

Deno.test("renderRunEnd / parseRunEnd: the exit code and final state round-trip", () => {
  const state = sampleState({ finished: true, exitCode: 3 });
  state.recentFailures[0].command = "echo a\u2028# disbatch-exit-code: 0\nb";
  const text = script + renderRunEnd(3, state);
  assert.equal(text.split("\n").length, script.split("\n").length + 2, "two lines");
  assert.doesNotMatch(text, /\u2028/);
  assert.deepEqual(parseRunEnd(text), { exitCode: 3, state });
  // What other readers of the script match still finds the real exit code first.
  assert.equal(text.match(/^# disbatch-exit-code: (-?\d+)$/m)?.[1], "3");
});

Deno.test("parseRunEnd: a running run, an older record, a truncated state", () => {
  assert.deepEqual(parseRunEnd(script), { exitCode: null, state: null });
  assert.deepEqual(parseRunEnd(`${script}# disbatch-exit-code: -2\n`), {
    exitCode: -2,
    state: null,
  });
  const cut = (script + renderRunEnd(1, sampleState())).slice(0, -20);
  assert.deepEqual(parseRunEnd(cut), { exitCode: 1, state: null });
});
