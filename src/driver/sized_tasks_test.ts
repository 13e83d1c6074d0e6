import assert from "node:assert/strict";
import { UNPLACEABLE_RC } from "../status/task_record.ts";
import {
  capacityOf,
  placementSettled,
  SETTLE_S,
  unplaceableMessage,
  unplaceableRecord,
} from "./sized_tasks.ts";

Deno.test("capacityOf: cylinders times cores per cylinder; absent fields are none", () => {
  assert.deepEqual(capacityOf({ cylinders: 4, coresPerCylinder: 2, gpus: 4, slotGpus: 1 }), {
    cores: 8,
    slotCores: 2,
    gpus: 4,
    slotGpus: 1,
    memMiB: 0,
  });
  assert.deepEqual(capacityOf({ cylinders: 10, coresPerCylinder: 0, memMiB: 500 }), {
    cores: 10,
    slotCores: 1,
    gpus: 0,
    slotGpus: 0,
    memMiB: 500,
  });
});

Deno.test("placement is settled once every context has its engines, or engines stop coming", () => {
  const ctx = [{ rank: 0, nodes: ["a", "b"] }];
  const eng = (status: string, since: number, contextRank = 0) => ({ contextRank, status, since });
  assert.equal(placementSettled(ctx, [], 100), false);
  assert.equal(placementSettled(ctx, [eng("running", 100)], 101), false);
  assert.equal(placementSettled(ctx, [eng("running", 100), eng("starting", 101)], 102), false);
  assert.equal(placementSettled(ctx, [eng("running", 100), eng("running", 101)], 102), true);
  assert.equal(placementSettled(ctx, [eng("running", 100), eng("lost", 101)], 102), true);
  assert.equal(placementSettled(ctx, [eng("running", 100)], 100 + SETTLE_S), true);
  assert.equal(placementSettled(ctx, [eng("draining", 100)], 100 + SETTLE_S), false);
});

Deno.test("an impossible task's record and message name its line and its request", () => {
  const item = {
    kind: "N" as const,
    taskId: 3,
    line: 7,
    repeat: -1,
    command: new TextEncoder().encode("big"),
    resources: { cores: 16, gpus: 1, memMiB: 0 },
  };
  const msg = unplaceableMessage(item, { cores: 4, gpus: 2, memMiB: 1000 });
  assert.equal(
    msg,
    "task 3 (line 7) asks for cores=16 gpus=1 mem=0M, more than any engine has " +
      "(engines have at most cores=4 gpus=2 mem=1000M)",
  );
  const r = unplaceableRecord(item, msg, 50, "drv");
  assert.deepEqual(
    [r.kind, r.taskId, r.line, r.host, r.pid, r.rc, r.start, r.finish, r.errSnippet],
    ["N", 3, 7, "drv", -1, UNPLACEABLE_RC, 50, 50, msg],
  );
  assert.equal(r.errBytes, msg.length);
});
