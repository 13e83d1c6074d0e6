import assert from "node:assert/strict";
import { engineLoad } from "./engine_load.ts";

Deno.test("engineLoad: an engine runs at most one task per cylinder; the rest are queued", () => {
  assert.deepEqual(engineLoad(2, 0), { running: 0, queued: 0 });
  assert.deepEqual(engineLoad(2, 1), { running: 1, queued: 0 });
  assert.deepEqual(engineLoad(2, 2), { running: 2, queued: 0 });
  assert.deepEqual(engineLoad(2, 4), { running: 2, queued: 2 });
  assert.deepEqual(engineLoad(0, 1), { running: 0, queued: 1 });
});
