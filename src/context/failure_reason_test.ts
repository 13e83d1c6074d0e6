import assert from "node:assert/strict";
import { failureReason } from "./failure_reason.ts";

Deno.test("failureReason prefers the last error line over srun's warnings", () => {
  const srun = [
    "srun: error: Unable to create step for job 7: Requested node configuration is not available",
    "srun: warning: cluster configuration lacks support for cpu binding",
    "",
  ].join("\n");
  assert.equal(
    failureReason(srun),
    "srun: error: Unable to create step for job 7: Requested node configuration is not available",
  );
});

Deno.test("failureReason falls back to the last non-empty line", () => {
  assert.equal(
    failureReason("ssh: connect to host 10.77.0.99 port 22: Connection timed out\r\n\n"),
    "ssh: connect to host 10.77.0.99 port 22: Connection timed out",
  );
  assert.equal(failureReason(""), "");
  assert.equal(failureReason("x".repeat(900)).length, 500);
});
