import assert from "node:assert/strict";
import { DEFAULT_HEARTBEAT, heartbeatSettings } from "./heartbeat.ts";

Deno.test("heartbeatSettings parses interval,timeout and rejects nonsense", () => {
  assert.deepEqual(heartbeatSettings("0.5, 2"), { intervalMs: 500, timeoutMs: 2000 });
  assert.deepEqual(heartbeatSettings(undefined), DEFAULT_HEARTBEAT);
  assert.deepEqual(heartbeatSettings("2,1"), DEFAULT_HEARTBEAT);
  assert.deepEqual(heartbeatSettings("x,y"), DEFAULT_HEARTBEAT);
  assert.deepEqual(heartbeatSettings("0,3"), DEFAULT_HEARTBEAT);
});
