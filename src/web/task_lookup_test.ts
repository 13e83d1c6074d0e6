import assert from "node:assert/strict";
import { formatStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { findTaskLines } from "./task_lookup.ts";

function record(taskId: number, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    kind: "N",
    taskId,
    line: taskId + 1,
    repeat: -1,
    host: "node1",
    pid: 100 + taskId,
    rc: 0,
    start: 1_700_000_000.5,
    finish: 1_700_000_001.25,
    outBytes: 3,
    outSnippet: "hi\n",
    errBytes: 0,
    errSnippet: "",
    command: new TextEncoder().encode(`echo task ${taskId}`),
    ...over,
  };
}

Deno.test("findTaskLines returns every line of exactly that task id, parsed", async () => {
  const path = await Deno.makeTempFile();
  try {
    const lines = [
      STATUS_HEADER,
      formatStatusLine(record(5, { kind: "Z", pid: -1, rc: -100 })),
      formatStatusLine(record(15)),
      formatStatusLine(record(50)),
      formatStatusLine(record(5, { rc: 2, errBytes: 5, errSnippet: "oops\n", host: "n2" })),
    ];
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const found = await findTaskLines(path, 5);
    assert.deepEqual(found.map((f) => [f.flags, f.rc, f.host]), [
      ["RO Z", -100, "node1"],
      ["ROE ", 2, "n2"],
    ]);
    assert.equal(found[1].errSnippet, "oops\n");
    assert.equal(found[1].command, "echo task 5");
    assert.equal(found[1].raw, lines[4]);
    assert.equal(found[1].start, 1_700_000_000.5);
    assert.deepEqual(await findTaskLines(path, 7), []);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("findTaskLines finds nothing in a missing file", async () => {
  assert.deepEqual(await findTaskLines("/nonexistent/P_status.txt", 0), []);
});
