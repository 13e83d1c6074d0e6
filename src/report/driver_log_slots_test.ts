import assert from "node:assert/strict";
import { driverLogSlots } from "./driver_log_slots.ts";

const log = (lines: string[]) =>
  lines.map((l) => `2026-12-04 14:31:32,520 INFO driver: ${l}`).join("\n") + "\n";

Deno.test("slots are the most cylinders a host's engines had at one time", () => {
  const slots = driverLogSlots(log([
    "context 0 (SSH0) registered from 127.0.0.1:44348",
    "engine 0 registered: node vm, pid 24484, 2 cylinders",
    "engine 1 registered: node n2, pid 11, 4 cylinders",
    "engine 2 registered: node vm, pid 12, 3 cylinders",
    "engine 0 stopped",
    "engine 1 on n2 lost with 4 running tasks",
    "engine 3 registered: node n2, pid 13, 4 cylinders",
    "engine 4 registered: node vm, pid 14, 1 cylinders",
  ]));
  assert.deepEqual([...slots], [["vm", 5], ["n2", 4]]);
});

Deno.test("a log that names no engine (Python's) gives no slots", () => {
  assert.equal(driverLogSlots("INFO:disBatch:Starting\nanything else\n").size, 0);
  assert.equal(driverLogSlots("").size, 0);
});
