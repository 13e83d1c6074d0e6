import assert from "node:assert/strict";
import { WallWatch } from "./wall_watch.ts";

/** A watch over a fake clock and a reading that the test answers. */
function world() {
  const w = {
    t: 0,
    events: [] as string[],
    reads: [] as { fresh: boolean; answer: PromiseWithResolvers<number | null> }[],
  };
  const watch = new WallWatch({ drainBefore: 100, grace: 30, refreshEvery: 60 }, {
    now: () => w.t,
    readEnd: (fresh) => {
      const answer = Promise.withResolvers<number | null>();
      w.reads.push({ fresh, answer });
      return answer.promise;
    },
    drain: () => w.events.push("drain"),
    stop: () => w.events.push("stop"),
    log: { info: (m) => w.events.push(`info ${m}`), warn: (m) => w.events.push(`warn ${m}`) },
  });
  return { w, watch };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("WallWatch: reads the end, drains and stops on its ticks; later readings are fresh", async () => {
  const { w, watch } = world();
  watch.tick();
  assert.deepEqual(w.reads.map((r) => r.fresh), [false]);
  w.reads[0].answer.resolve(1000);
  await settle();
  assert.equal(watch.end, 1000);
  assert.match(w.events[0], /^info the job's end time: /);
  w.t = 60;
  watch.tick();
  assert.deepEqual(w.reads.map((r) => r.fresh), [false, true]);
  w.reads[1].answer.resolve(1000);
  await settle();
  w.events.length = 0;
  w.t = 100;
  watch.tick();
  assert.deepEqual(w.events, [], "no reading is older than 60 s, nothing due");
  w.t = 900;
  watch.tick(); // due: read first (the reading is old)
  w.reads[2].answer.resolve(1000);
  await settle();
  assert.deepEqual(w.events, ["info the job ends in 100 s: draining", "drain"]);
  w.t = 975;
  watch.tick();
  w.reads[3].answer.resolve(1000);
  await settle();
  assert.deepEqual(w.events.slice(2), ["info the job ends in 25 s: stopping tasks", "stop"]);
});

Deno.test("WallWatch: a failed reading is said once and tried again at the next refresh", async () => {
  const { w, watch } = world();
  watch.tick();
  w.reads[0].answer.reject(new Error("squeue: down"));
  await settle();
  w.t = 60;
  watch.tick();
  w.reads[1].answer.reject(new Error("squeue: down"));
  await settle();
  assert.deepEqual(w.events, ["warn squeue: down"]);
  assert.equal(watch.end, null);
});
