import assert from "node:assert/strict";
import { type RetireBatch, retireEnv, RetireThrottle } from "./retire_throttle.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function throttle(quietMs: number, contextHost: string | null, nodes = ["vm", "fake1", "fake2"]) {
  const batches: { at: number; batch: RetireBatch }[] = [];
  const t0 = Date.now();
  const t = new RetireThrottle({
    nodes,
    quietMs,
    contextHost,
    run: async (batch) => {
      batches.push({ at: Date.now() - t0, batch });
      await sleep(5);
    },
  });
  return { t, batches };
}

Deno.test("Slurm: exits close together make one batch, after the quiet time", async () => {
  const { t, batches } = throttle(60, "vm");
  t.exited("fake2", 0);
  await sleep(30);
  t.exited("fake1", 0);
  await sleep(40);
  assert.equal(batches.length, 0, "the second exit restarted the quiet time");
  await sleep(50);
  assert.equal(batches.length, 1);
  assert.ok(batches[0].at >= 85, `ran at ${batches[0].at} ms`);
  assert.deepEqual(retireEnv(batches[0].batch), {
    NODES: "fake2,fake1",
    RETCODES: "0,0",
    ACTIVE: "vm",
    RETIRED: "fake2,fake1",
  });
  await t.flush();
  assert.equal(batches.length, 1, "nothing pending, nothing run");
});

Deno.test("Slurm: the context's node becomes DRIVER_NODE; flush runs the last batch (B17)", async () => {
  const { t, batches } = throttle(10_000, "vm", ["vm.cluster", "fake1", "fake2"]);
  t.exited("fake1", 3);
  t.exited("vm.cluster", 0);
  const before = batches.length;
  await t.flush();
  assert.equal(before, 0);
  assert.deepEqual(batches.map((b) => retireEnv(b.batch)), [{
    NODES: "fake1,vm.cluster",
    RETCODES: "3,0",
    ACTIVE: "fake2",
    RETIRED: "fake1,vm.cluster",
    DRIVER_NODE: "vm.cluster",
  }]);
  assert.ok(batches[0].at < 1000, "flush did not wait for the quiet time");
  // DRIVER_NODE stays for later batches.
  t.exited("fake2", 0);
  await t.flush();
  assert.equal(retireEnv(batches[1].batch).DRIVER_NODE, "vm.cluster");
  assert.equal(retireEnv(batches[1].batch).ACTIVE, "");
});

Deno.test("SSH: each exit runs at once on its own, batches in order, no DRIVER_NODE", async () => {
  const { t, batches } = throttle(0, null, ["vm", "n1"]);
  t.exited("vm", 0);
  t.exited("n1", 255);
  await t.flush();
  assert.deepEqual(batches.map((b) => retireEnv(b.batch)), [
    { NODES: "vm", RETCODES: "0", ACTIVE: "n1", RETIRED: "vm" },
    { NODES: "n1", RETCODES: "255", ACTIVE: "", RETIRED: "vm,n1" },
  ]);
  assert.ok(batches[1].at >= batches[0].at + 4, "the second waited for the first");
});
