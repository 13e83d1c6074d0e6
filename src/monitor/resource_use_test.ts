import assert from "node:assert/strict";
import { resourceUse } from "./resource_use.ts";
import { sampleEngine } from "./sample_state.ts";

Deno.test("resourceUse shows used/total cores, and GPUs where there are any", () => {
  assert.equal(resourceUse(sampleEngine({ rank: 0 })), "");
  assert.equal(
    resourceUse(sampleEngine({ rank: 0, cores: 8, usedCores: 6, gpus: 0, usedGpus: 0 })),
    "cores 6/8  ",
  );
  assert.equal(
    resourceUse(sampleEngine({ rank: 0, cores: 8, usedCores: 6, gpus: 2, usedGpus: 1 })),
    "cores 6/8 gpus 1/2  ",
  );
});
