import { assertDirection } from "./assert_direction.ts";
import { contextToDriver, driverToContext } from "./context_messages.ts";
import { sampleRunInfo } from "./wire_samples.ts";

Deno.test("driver → context: every message decodes; broken ones are ProtocolErrors", () => {
  assertDirection(driverToContext, [
    { t: "ctx_accept", rank: 0, run: sampleRunInfo() },
    { t: "run_done" },
    { t: "engine_lost", node: "node17", pid: 1000 },
    { t: "bye" },
  ]);
});

Deno.test("context → driver: every message decodes; broken ones are ProtocolErrors", () => {
  assertDirection(contextToDriver, [
    { t: "ctx_register", label: "", sysid: "SSH", host: "login1", pid: 77, nodes: ["a", "b"] },
    {
      t: "ctx_register",
      label: "J42",
      sysid: "Slurm",
      host: "node1",
      pid: 78,
      nodes: [],
      taskLimit: 100,
    },
    { t: "engine_exit", node: "a", code: -9 },
    { t: "bye", reason: "no viable engines" },
  ]);
});
