import assert from "node:assert/strict";
import { srunEnvironment, SrunOptionsError } from "./srun_env.ts";

Deno.test("srunEnvironment defaults: SLURM_CPU_BIND kept or cores, no MPI plugin", () => {
  assert.deepEqual(srunEnvironment(null, () => undefined), {
    SLURM_CPU_BIND: "cores",
    SLURM_MPI_TYPE: "none",
  });
  const env = (n: string) => n === "SLURM_CPU_BIND" ? "none" : undefined;
  assert.deepEqual(srunEnvironment(null, env).SLURM_CPU_BIND, "none");
});

Deno.test("srunEnvironment from a file: NAME=VALUE lines only, split at the first =", () => {
  const text = "SLURM_CPU_BIND=verbose,none\n\nSLURM_EXPORT_ENV=ALL\r\nX=a=b\n";
  assert.deepEqual(srunEnvironment({ path: "f", text }, () => "ignored"), {
    SLURM_CPU_BIND: "verbose,none",
    SLURM_EXPORT_ENV: "ALL",
    X: "a=b",
  });
  assert.throws(
    () => srunEnvironment({ path: "f", text: "A=1\n--overlap\n" }, () => undefined),
    (e: Error) =>
      e instanceof SrunOptionsError && e.message === "f:2: expected NAME=VALUE, got '--overlap'",
  );
});
