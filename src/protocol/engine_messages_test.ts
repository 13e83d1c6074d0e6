import assert from "node:assert/strict";
import { assertDirection } from "./assert_direction.ts";
import {
  decodeDriverToEngine,
  decodeEngineToDriver,
  driverToEngine,
  engineToDriver,
  perEngineMessage,
  taskMessage,
  taskTimeout,
} from "./engine_messages.ts";
import { fromWire } from "./messages.ts";
import { ProtocolError } from "./protocol_error.ts";
import { sampleOutcome, sampleRunInfo } from "./wire_samples.ts";

Deno.test("driver → engine: every message decodes; broken ones are ProtocolErrors", () => {
  assertDirection(driverToEngine, [
    { t: "eng_accept", rank: 2, run: sampleRunInfo() },
    { t: "run_done" },
    { t: "pe", which: "START", index: 0, line: 1, cmd: "hostname" },
    { t: "pe", which: "STOP", index: 0, line: 2, cmd64: "/w==" },
    { t: "pe_end" },
    { t: "task", id: 0, line: 3, rep: -1, cmd: "echo hi" },
    { t: "task", id: 1, line: 4, rep: 7, timeout: 1.5, cmd64: "/w==" },
    { t: "task", id: 2, line: 5, rep: -1, res: { cores: 4, gpus: 1, memMiB: 0 }, cmd: "x" },
    { t: "drain" },
    { t: "kill" },
    { t: "ping" },
    { t: "bye" },
    { t: "bye", reason: "the run is over" },
  ]);
});

Deno.test("engine → driver: every message decodes; broken ones are ProtocolErrors", () => {
  assertDirection(engineToDriver, [
    {
      t: "eng_register",
      contextRank: 0,
      node: "node17",
      host: "node17.cluster",
      pid: 1000,
      cylinders: 4,
      coresPerCylinder: 1,
    },
    {
      t: "eng_register",
      contextRank: 0,
      node: "gpu1",
      host: "gpu1",
      pid: 1,
      cylinders: 4,
      coresPerCylinder: 2,
      gpus: 4,
      slotGpus: 1,
      memMiB: 64000,
    },
    { t: "ready" },
    { t: "result", kind: "N", id: 3, cyl: 1, ...sampleOutcome() },
    { t: "result", kind: "STOP", id: 0, cyl: -1, ...sampleOutcome() },
    { t: "returned", ids: [4, 5] },
    { t: "returned", ids: [] },
    { t: "stopped" },
    { t: "pong" },
    { t: "bye" },
  ]);
});

Deno.test("a command travels as exactly one of cmd and cmd64, the latter base64", () => {
  const task = { t: "task", id: 0, line: 1, rep: -1 };
  for (const bad of [{}, { cmd: "a", cmd64: "YQ==" }, { cmd64: "not base64!" }, { cmd64: "YQ" }]) {
    assert.throws(() => decodeDriverToEngine({ ...task, ...bad }), ProtocolError);
  }
  assert.throws(
    () => decodeDriverToEngine({ t: "pe", which: "START", index: 0, line: 1 }),
    /driver → engine: message "pe": needs exactly one of the fields cmd and cmd64/,
  );
});

Deno.test("taskTimeout: no timeout is one spelling on the wire, the field left out", () => {
  assert.equal(taskTimeout(undefined, null), undefined);
  assert.equal(taskTimeout(undefined, 5), 5);
  assert.equal(taskTimeout(2.5, 5), 2.5, "the task's own wins");
  assert.equal(taskTimeout(Infinity, 5), undefined, "#DISBATCH TIMEOUT none");
  assert.equal(taskTimeout(undefined, 0), undefined);
});

Deno.test("taskMessage and perEngineMessage build messages the engine decodes", () => {
  const bytes = new Uint8Array([0xff, 0x41]);
  const item = { taskId: 4, line: 9, repeat: 2, command: bytes, timeout: 3 };
  const task = taskMessage(item, null);
  assert.deepEqual(task, { t: "task", id: 4, line: 9, rep: 2, timeout: 3, cmd64: "/0E=" });
  const back = decodeDriverToEngine(JSON.parse(JSON.stringify(task)));
  assert.ok(back.t === "task");
  assert.deepEqual(fromWire(back), bytes);
  const text = new TextEncoder().encode("true");
  const none = taskMessage({ ...item, timeout: undefined, command: text }, null);
  assert.ok(!("timeout" in none) && none.cmd === "true");
  // JSON has no Infinity: it would travel as null, which the engine refuses.
  assert.ok(!("timeout" in taskMessage({ ...item, timeout: Infinity }, 10)));

  // capture: the task's own setting, else the run's; the message carries the cap
  const run = { capture: true, maxBytes: 100 };
  assert.equal(taskMessage(item, null, run).capture, 100);
  assert.ok(!("capture" in taskMessage({ ...item, capture: false }, null, run)));
  assert.ok(!("capture" in taskMessage(item, null)));
  const on = taskMessage({ ...item, capture: true }, null, { capture: false, maxBytes: 0 });
  const decoded = decodeDriverToEngine(JSON.parse(JSON.stringify(on)));
  assert.ok(decoded.t === "task" && decoded.capture === 0);

  const pe = perEngineMessage({ kind: "STOP", index: 1, line: 2, command: bytes });
  assert.deepEqual(decodeDriverToEngine(JSON.parse(JSON.stringify(pe))), {
    t: "pe",
    which: "STOP",
    index: 1,
    line: 2,
    cmd64: "/0E=",
  });
});

Deno.test("a result with a mistyped outcome is refused, naming the field", () => {
  const m = { t: "result", kind: "N", id: 3, cyl: 0, ...sampleOutcome(), rc: "0" };
  assert.throws(() => decodeEngineToDriver(m), {
    name: "ProtocolError",
    message: 'engine → driver: message "result": field rc must be an integer',
  });
});
