import assert from "node:assert/strict";
import { WallClock } from "./wall_clock.ts";

const settings = { drainBefore: 100, grace: 30, refreshEvery: 60 };

Deno.test("WallClock: drain once less than drainBefore remains, stop at the grace", () => {
  const c = new WallClock(settings);
  assert.equal(c.readDue(0), true, "read before anything is known");
  c.readStarted(0);
  assert.equal(c.due(0), null, "nothing while the first reading runs");
  c.readEnded(1000);
  assert.equal(c.due(899), null);
  assert.equal(c.due(900), "drain");
  assert.equal(c.due(901), null, "once");
  assert.equal(c.phase, "draining");
  assert.equal(c.due(969), null);
  assert.equal(c.due(970), "stop");
  assert.equal(c.due(990), null, "once");
  assert.equal(c.readDue(2000), false, "nothing to read once stopped");
});

Deno.test("WallClock: an end already within the grace stops at once; none never acts", () => {
  const c = new WallClock(settings);
  c.readStarted(0);
  c.readEnded(20);
  assert.equal(c.due(0), "stop");
  const none = new WallClock(settings);
  none.readStarted(0);
  none.readEnded(null);
  assert.equal(none.due(1e9), null);
});

Deno.test("WallClock: read again every refreshEvery, and before acting on an old reading", () => {
  const c = new WallClock(settings);
  c.readStarted(0);
  assert.equal(c.readDue(100), false, "one reading at a time");
  c.readEnded(1000);
  assert.equal(c.readDue(59), false);
  assert.equal(c.readDue(60), true);
  c.readStarted(60);
  c.readEnded(2000); // the limit was raised
  assert.equal(c.due(900), null, "the raised limit is honoured");
  assert.equal(c.readDue(119), false);
  // 1905 s: a drain would be due, and the reading is older than 5 s: read first.
  assert.equal(c.readDue(1905), true);
  c.readStarted(1905);
  assert.equal(c.due(1905), null, "not while the reading runs");
  c.readEnded(undefined); // it failed: the last end stands
  assert.equal(c.end, 2000);
  assert.equal(c.due(1905), "drain");
});
