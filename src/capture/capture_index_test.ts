import assert from "node:assert/strict";
import {
  AttemptCollector,
  type CaptureAttempt,
  type CaptureRecord,
  chooseAttempt,
  formatRecord,
  LineBuffer,
  parseRecord,
  tailChunks,
} from "./capture_index.ts";

Deno.test("capture index: records round-trip through their lines", () => {
  const records: CaptureRecord[] = [
    { kind: "S", taskId: 0, atMs: 1700000000123 },
    { kind: "C", taskId: 12, stream: "out", offset: 0, length: 5 },
    { kind: "C", taskId: 12, stream: "err", offset: 5, length: 1048576 },
    { kind: "E", taskId: 12, outSeen: 5, errSeen: 2000000, truncated: true },
    { kind: "E", taskId: 3, outSeen: 0, errSeen: 0, truncated: false },
  ];
  for (const r of records) {
    const line = formatRecord(r);
    assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"), line);
    assert.deepEqual(parseRecord(line.slice(0, -1)), r);
  }
  assert.equal(formatRecord(records[1]), "C 12 o 0 5\n");
  assert.equal(formatRecord(records[3]), "E 12 5 2000000 1\n");
});

Deno.test("capture index: the header, torn and foreign lines are not records", () => {
  for (
    const line of [
      "# disbatch capture 1",
      "",
      "S 1",
      "C 1 o 0",
      "C 1 x 0 1",
      "E 1 2 3 2",
      "S 01 5",
      "S -1 5",
      "S 1 5 extra",
      "s 1 5",
    ]
  ) {
    assert.equal(parseRecord(line), null, line);
  }
});

Deno.test("LineBuffer: whole lines only, an unfinished one kept for later", () => {
  const b = new LineBuffer();
  assert.deepEqual(b.push("S 1 "), []);
  assert.deepEqual(b.push("5\nC 1 o 0 3\nE 1"), ["S 1 5", "C 1 o 0 3"]);
  assert.deepEqual(b.push(" 3 0 0\n"), ["E 1 3 0 0"]);
  assert.deepEqual(b.push(""), []);
});

Deno.test("AttemptCollector: chunks go to the open attempt of their task", () => {
  const c = new AttemptCollector();
  const lines = [
    "C 9 o 0 1", // before its S: ignored
    "S 1 100",
    "S 2 101",
    "C 1 o 0 3",
    "C 2 e 3 2",
    "C 1 e 5 1",
    "E 1 3 1 0",
    "C 1 o 6 9", // after its end: ignored
    "S 1 200", // started again (same engine)
    "C 1 o 15 4",
  ];
  for (const l of lines) c.add(parseRecord(l)!);
  const one = c.attempts.get(1)!;
  assert.equal(one.length, 2);
  assert.deepEqual(one[0], {
    taskId: 1,
    startedMs: 100,
    out: [{ offset: 0, length: 3 }],
    err: [{ offset: 5, length: 1 }],
    end: { outSeen: 3, errSeen: 1, truncated: false },
  });
  assert.deepEqual(one[1].out, [{ offset: 15, length: 4 }]);
  assert.equal(one[1].end, null);
  assert.deepEqual(c.attempts.get(2)![0].err, [{ offset: 3, length: 2 }]);
  assert.equal(c.attempts.has(9), false);

  const only = new AttemptCollector(2);
  for (const l of lines) only.add(parseRecord(l)!);
  assert.deepEqual([...only.attempts.keys()], [2]);
});

Deno.test("chooseAttempt: the latest that ended, else the latest started", () => {
  const a = (startedMs: number, ended: boolean): CaptureAttempt => ({
    taskId: 1,
    startedMs,
    out: [],
    err: [],
    end: ended ? { outSeen: 0, errSeen: 0, truncated: false } : null,
  });
  assert.equal(chooseAttempt([]), null);
  const lost = a(100, false), rerun = a(200, true), later = a(300, false);
  assert.equal(chooseAttempt([lost, rerun, later]), rerun);
  assert.equal(chooseAttempt([later, lost]), later);
  const first = a(100, true), second = a(150, true);
  assert.equal(chooseAttempt([second, first]), second);
});

Deno.test("tailChunks: the ranges of a stream's last bytes", () => {
  const chunks = [{ offset: 0, length: 3 }, { offset: 10, length: 5 }, { offset: 40, length: 2 }];
  assert.deepEqual(tailChunks(chunks, 0), []);
  assert.deepEqual(tailChunks(chunks, 2), [{ offset: 40, length: 2 }]);
  assert.deepEqual(tailChunks(chunks, 4), [{ offset: 13, length: 2 }, { offset: 40, length: 2 }]);
  assert.deepEqual(tailChunks(chunks, 100), chunks);
  assert.deepEqual(tailChunks([], 5), []);
});
