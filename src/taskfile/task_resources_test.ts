import assert from "node:assert/strict";
import { formatResources, parseResources } from "./task_resources.ts";

Deno.test("parseResources reads any subset of cores, gpus and mem, in any order", () => {
  assert.deepEqual(parseResources("cores=4"), { cores: 4, gpus: 0, memMiB: 0 });
  assert.deepEqual(parseResources(" gpus=2  cores=8 "), { cores: 8, gpus: 2, memMiB: 0 });
  assert.deepEqual(parseResources("mem=2G"), { cores: 1, gpus: 0, memMiB: 2048 });
  assert.deepEqual(parseResources("GPUS=0\tMEM=100"), { cores: 1, gpus: 0, memMiB: 100 });
  assert.deepEqual(parseResources("mem=1.5GiB"), { cores: 1, gpus: 0, memMiB: 1536 });
  assert.deepEqual(parseResources("mem=1K"), { cores: 1, gpus: 0, memMiB: 1 });
  assert.deepEqual(parseResources("mem=3TB"), { cores: 1, gpus: 0, memMiB: 3 * 1024 * 1024 });
  assert.equal(parseResources("default"), null);
  assert.equal(parseResources(" Default "), null);
});

Deno.test("parseResources names the bad value", () => {
  const bad: [string, RegExp][] = [
    ["", /expected cores=N/],
    ["cores=0", /cores=0 is not an integer from 1/],
    ["cores=-1", /cores=-1 is not/],
    ["cores=2.5", /cores=2.5 is not/],
    ["cores=", /cores= is not/],
    ["gpus=x", /gpus=x is not an integer from 0/],
    ["cores=99999999", /cores=99999999 is not an integer from 1 to 1000000/],
    ["mem=lots", /mem=lots is not a size/],
    ["mem=4X", /mem=4X is not a size/],
    ["cores=1 cores=2", /cores given twice/],
    ["cpus=4", /unknown resource 'cpus=4'/],
    ["default cores=2", /unknown resource 'default'/],
  ];
  for (const [words, problem] of bad) {
    const r = parseResources(words);
    assert.equal(typeof r, "string", words);
    assert.match(r as string, problem);
  }
});

Deno.test("formatResources writes every field", () => {
  assert.equal(formatResources({ cores: 4, gpus: 1, memMiB: 512 }), "cores=4 gpus=1 mem=512M");
});
