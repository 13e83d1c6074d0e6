import assert from "node:assert/strict";
import { Scheduler } from "../sched/scheduler.ts";
import { sampleTask } from "./sample_record.ts";
import {
  type ContextFacts,
  engineSummary,
  MAX_CONTEXT_NODES,
  MAX_ENGINE_VIEWS,
  MAX_TASK_IDS,
} from "./engine_summary.ts";

/** `n` running engines of 2 cylinders holding 4 tasks each, in one context of `n` nodes. */
function run(n: number): { sched: Scheduler; contexts: ContextFacts[] } {
  const sched = new Scheduler(() => 0);
  const nodes: string[] = [];
  for (let rank = 0; rank < n; rank++) {
    const node = `node${String(rank).padStart(5, "0")}`;
    nodes.push(node);
    sched.addEngine({ rank, contextRank: 0, node, host: node, pid: 1000 + rank, cylinders: 2 });
    sched.engineReady(rank);
  }
  sched.setPrefetch(1);
  for (let id = 0; id < n * 4; id++) sched.enqueue(sampleTask(id));
  sched.assign();
  return { sched, contexts: [{ rank: 0, label: "J0", host: "login", nodes, connected: true }] };
}

Deno.test("the state's engine part hardly grows from 200 to 20,000 engines", () => {
  const sizes = [200, 20_000].map((n) => {
    const { sched, contexts } = run(n);
    const s = engineSummary(sched.engines.values(), contexts, 5);
    assert.equal(s.engines.length, MAX_ENGINE_VIEWS);
    assert.equal(s.contexts[0].nodes.length, MAX_CONTEXT_NODES);
    assert.equal(s.contexts[0].nodeCount, n);
    assert.equal(s.contexts[0].engines, n);
    assert.deepEqual(s.engineTotals, {
      engines: n,
      starting: 0,
      running: n,
      draining: 0,
      stopped: 0,
      lost: 0,
      cylinders: n * 2,
    });
    assert.deepEqual([s.running, s.queued], [n * 2, n * 2], "counted over every engine");
    return JSON.stringify(s).length;
  });
  // Only longer numbers (ids, ranks, counts) make it larger.
  assert.ok(sizes[1] < sizes[0] * 1.2, `sizes ${sizes}`);
});

Deno.test("an engine lists at most MAX_TASK_IDS of its tasks, running ones first", () => {
  const sched = new Scheduler(() => 0);
  sched.addEngine({ rank: 0, contextRank: 0, node: "big", host: "big", pid: 1, cylinders: 128 });
  sched.engineReady(0);
  sched.setPrefetch(1);
  for (let id = 0; id < 256; id++) sched.enqueue(sampleTask(id));
  sched.assign();
  const [e] = engineSummary(sched.engines.values(), [], 0).engines;
  assert.deepEqual(e.tasks, [...Array(MAX_TASK_IDS).keys()]);
  assert.deepEqual([e.running, e.queued], [128, 128]);
});

Deno.test("live engines are listed first, by rank, then the engines that ended last", () => {
  const { sched, contexts } = run(MAX_ENGINE_VIEWS + 10);
  // All but 5 end: 5 live engines are listed, then the ended ones, the latest first.
  for (let rank = 0; rank < MAX_ENGINE_VIEWS + 5; rank++) sched.lose(rank);
  const s = engineSummary(sched.engines.values(), contexts, 0);
  const ranks = s.engines.map((e) => e.rank);
  assert.equal(ranks.length, MAX_ENGINE_VIEWS);
  for (let rank = MAX_ENGINE_VIEWS + 5; rank < MAX_ENGINE_VIEWS + 10; rank++) {
    assert.ok(ranks.includes(rank), `live engine ${rank} listed`);
  }
  assert.ok(!ranks.includes(0) && !ranks.includes(4), "the first engines to end are left out");
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), "in rank order");
  assert.equal(s.engineTotals.lost, MAX_ENGINE_VIEWS + 5);
  assert.equal(s.contexts[0].engines, 5, "live engines of the context");
});
