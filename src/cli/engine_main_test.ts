import assert from "node:assert/strict";
import { parseEngineArgv } from "./engine_main.ts";

Deno.test("parseEngineArgv reads what a context passes, in both spellings", () => {
  const a = parseEngineArgv([
    "--db-util",
    "/tmp/x_dbUtil.sh",
    "--node=n1",
    "--cylinders",
    "4",
    "--env-resource",
    "CUDA_VISIBLE_DEVICES",
    "--env-resource=OTHER",
    "--label",
    "--odd label",
  ]);
  assert.deepEqual(a, {
    single: { "db-util": "/tmp/x_dbUtil.sh", node: "n1", cylinders: "4", label: "--odd label" },
    envResource: ["CUDA_VISIBLE_DEVICES", "OTHER"],
  });
  assert.deepEqual(parseEngineArgv([]), { single: {}, envResource: [] });
});

Deno.test("parseEngineArgv names what is wrong", () => {
  assert.throws(() => parseEngineArgv(["--nodes", "n1"]), /unknown option '--nodes'/);
  assert.throws(() => parseEngineArgv(["--node"]), /option '--node' needs a value/);
  assert.throws(() => parseEngineArgv(["n1"]), /unexpected argument 'n1'/);
});
