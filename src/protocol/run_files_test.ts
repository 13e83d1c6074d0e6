import assert from "node:assert/strict";
import { prefixOf, runFiles } from "./run_files.ts";

Deno.test("runFiles: the original's names (spec §8)", () => {
  const p = "/d/Tasks_disBatch_261204101010_123";
  assert.equal(runFiles.status(p), `${p}_status.txt`);
  assert.equal(runFiles.dbUtil(p), `${p}_dbUtil.sh`);
  assert.equal(runFiles.driverLog(p), `${p}_driver.log`);
  assert.equal(runFiles.contextLog(p, "J9"), `${p}_J9.context.log`);
  assert.equal(runFiles.engineLog(p, "J9", "n1", 2), `${p}_J9_n1_engine_2.log`);
  assert.equal(runFiles.engineWrap(p, "SSH0", "n1"), `${p}_SSH0_n1_engine_wrap.log`);
  assert.equal(runFiles.contextLaunch(p, 42), `${p}_42_context_launch.log`);
});

Deno.test("prefixOf: a run named by its prefix or by its helper script", () => {
  assert.equal(prefixOf("/d/run"), "/d/run");
  assert.equal(prefixOf("/d/run_dbUtil.sh"), "/d/run");
});
