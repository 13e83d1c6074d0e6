import assert from "node:assert/strict";
import { decodeWaitStatus, reapedStatus } from "./wait_status.ts";

Deno.test("decodeWaitStatus: an exit code from bits 8-15, a signal from bits 0-6", () => {
  assert.deepEqual(decodeWaitStatus(0), { code: 0, signal: null });
  assert.deepEqual(decodeWaitStatus(5 << 8), { code: 5, signal: null });
  assert.deepEqual(decodeWaitStatus(255 << 8), { code: 255, signal: null });
  assert.deepEqual(decodeWaitStatus(9), { code: 0, signal: 9 });
  // SIGSEGV with the core-dump bit (0x80).
  assert.deepEqual(decodeWaitStatus(0x80 | 11), { code: 0, signal: 11 });
});

Deno.test("reapedStatus: decoded for the child waited for, else exit code 255", () => {
  assert.deepEqual(reapedStatus(42, 42, 3 << 8), { code: 3, signal: null });
  assert.deepEqual(reapedStatus(-1, 42, 3 << 8), { code: 255, signal: null });
});
