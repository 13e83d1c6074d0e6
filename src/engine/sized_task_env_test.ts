import assert from "node:assert/strict";
import { sizedTaskEnv } from "./sized_task_env.ts";

Deno.test("a task with RESOURCES sees its cores, its memory and exactly its GPU ids", () => {
  const held = { cores: [0, 1], gpus: ["3", "5"] };
  assert.deepEqual(sizedTaskEnv({ cores: 2, memMiB: 512 }, held, "MY_GPUS"), {
    DISBATCH_CORES_PER_TASK: "2",
    DISBATCH_MEM: "512",
    CUDA_VISIBLE_DEVICES: "3,5",
    MY_GPUS: "3,5",
  });
  const none = { cores: [2], gpus: [] };
  assert.deepEqual(sizedTaskEnv({ cores: 1, memMiB: 0 }, none, "CUDA_VISIBLE_DEVICES"), {
    DISBATCH_CORES_PER_TASK: "1",
    DISBATCH_MEM: "0",
    CUDA_VISIBLE_DEVICES: "",
  });
  assert.deepEqual(sizedTaskEnv({ cores: 1, memMiB: 0 }, none, null), {
    DISBATCH_CORES_PER_TASK: "1",
    DISBATCH_MEM: "0",
  });
});
