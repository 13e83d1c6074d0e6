import assert from "node:assert/strict";
import { ExitPace, HOT_GAP_MS, HOT_WAIT_MAX_MS } from "./exit_pace.ts";

Deno.test("ExitPace: off the main thread until exits come often, then about twice the gap", () => {
  const pace = new ExitPace();
  assert.equal(pace.hotTimeout(), null, "nothing seen yet");
  pace.exited(1000);
  assert.equal(pace.hotTimeout(), null, "one exit gives no gap");
  pace.exited(1003);
  assert.equal(pace.hotTimeout(), 6);
  for (let t = 1005; t < 1100; t += 2) pace.exited(t);
  assert.equal(pace.hotTimeout(), 4, "the gap follows the recent pace");
  pace.exited(1099); // two exits at once: a gap of 0
  assert.ok(pace.hotTimeout()! >= 1, "never a zero timeout");
});

Deno.test("ExitPace: slow exits, and a wait that saw nothing, go back off the main thread", () => {
  const pace = new ExitPace();
  pace.exited(0);
  pace.exited(HOT_GAP_MS * 3);
  assert.equal(pace.hotTimeout(), null, "exits too far apart");
  const fast = new ExitPace();
  for (let t = 0; t <= 40; t += 4) fast.exited(t);
  assert.equal(fast.hotTimeout(), 8);
  fast.missed();
  assert.equal(fast.hotTimeout(), null, "after a miss: off the thread");
  fast.exited(44);
  assert.equal(fast.hotTimeout(), 8, "until the next exit");
});

Deno.test("ExitPace: the main thread is never blocked longer than the cap", () => {
  const pace = new ExitPace();
  for (let t = 0; t <= 100; t += HOT_GAP_MS) pace.exited(t);
  assert.equal(pace.hotTimeout(), HOT_WAIT_MAX_MS);
});

Deno.test("ExitPace: an infinite threshold waits on the main thread from the start (tests)", () => {
  const pace = new ExitPace(Infinity);
  assert.equal(pace.hotTimeout(), HOT_WAIT_MAX_MS);
  pace.missed();
  assert.equal(pace.hotTimeout(), null);
});
