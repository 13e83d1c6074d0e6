import assert from "node:assert/strict";
import { runFiles } from "../protocol/run_files.ts";
import { CAPTURE_INDEX_HEADER } from "./capture_index.ts";
import { taskOutput, type TaskOutputOptions } from "./task_output.ts";

/** A run directory whose capture files the test writes by hand. */
async function withRun(fn: (prefix: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(`${dir}/run`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

async function append(path: string, text: string): Promise<void> {
  await Deno.writeFile(path, enc.encode(text), { append: true });
}

/** taskOutput with everything it printed and noted; `onPause` runs at each pause. */
async function follow(
  prefix: string,
  o: Partial<TaskOutputOptions> & { onPause?: (n: number) => Promise<void> },
) {
  let written = "";
  const notes: string[] = [];
  let pauses = 0;
  const end = await taskOutput({
    prefix,
    taskId: 1,
    stream: "out",
    follow: true,
    write: (b) => written += dec.decode(b),
    note: (l) => notes.push(l),
    runEnded: () => Promise.resolve(false),
    pause: async () => {
      await o.onPause?.(pauses++);
      if (pauses > 50) throw new Error("still following");
    },
    ...o,
  });
  return { end, written, notes, pauses };
}

Deno.test("taskOutput --follow: prints each new chunk once and ends with the end record", async () => {
  await withRun(async (prefix) => {
    const data = runFiles.captureData(prefix, 0), index = runFiles.captureIndex(prefix, 0);
    await append(data, "hello ");
    await append(index, `${CAPTURE_INDEX_HEADER}S 1 100\nC 1 o 0 6\nS 2 101\n`);
    const r = await follow(prefix, {
      onPause: async (n) => {
        if (n === 0) {
          await append(data, "errworld\n");
          // a torn line (being written) is left for the next look
          await append(index, "C 1 e 6 3\nC 2 o 6 1\nC 1 o 9 6\nE 1 12");
        } else if (n === 1) await append(index, " 3 0\n");
      },
    });
    assert.deepEqual([r.end, r.written, r.notes, r.pauses], ["done", "hello world\n", [], 2]);
  });
});

Deno.test("taskOutput --follow: the run ends first, or the task starts again elsewhere", async () => {
  await withRun(async (prefix) => {
    await append(runFiles.captureData(prefix, 0), "part");
    await append(runFiles.captureIndex(prefix, 0), `${CAPTURE_INDEX_HEADER}S 1 100\nC 1 o 0 4\n`);
    const over = await follow(prefix, { runEnded: () => Promise.resolve(true) });
    assert.deepEqual([over.end, over.written], ["unfinished", "part"]);

    const again = await follow(prefix, {
      onPause: async (n) => {
        if (n !== 0) return;
        await append(runFiles.captureData(prefix, 3), "whole");
        await append(
          runFiles.captureIndex(prefix, 3),
          `${CAPTURE_INDEX_HEADER}S 1 200\nC 1 o 0 5\nE 1 5 0 0\n`,
        );
      },
    });
    assert.equal(again.end, "done");
    assert.equal(again.written, "partwhole");
    assert.deepEqual(again.notes, ["task 1 was started again; its output follows from the start"]);
  });
});

Deno.test("taskOutput: no capture files, no such task", async () => {
  await withRun(async (prefix) => {
    assert.equal((await follow(prefix, { follow: false })).end, "no_capture");
    assert.equal(
      (await follow(prefix, { runEnded: () => Promise.resolve(true) })).end,
      "no_capture",
    );
    await append(runFiles.captureIndex(prefix, 0), `${CAPTURE_INDEX_HEADER}S 2 1\nE 2 0 0 0\n`);
    assert.equal((await follow(prefix, { follow: false })).end, "no_task");
    assert.equal((await follow(prefix, { runEnded: () => Promise.resolve(true) })).end, "no_task");
    // Without --follow, a running task's output so far.
    await append(runFiles.captureData(prefix, 0), "ab");
    await append(runFiles.captureIndex(prefix, 0), "S 1 5\nC 1 o 0 2\n");
    const now = await follow(prefix, { follow: false });
    assert.deepEqual([now.end, now.written, now.pauses], ["done", "ab", 0]);
  });
});
