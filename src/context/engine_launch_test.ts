import assert from "node:assert/strict";
import { engineCommand, sshExtraOptions } from "./engine_launch.ts";

const ARGS = ["--engine", "--node", "n1", "--label", "my label"];

Deno.test("local engines run the helper script directly", () => {
  assert.deepEqual(engineCommand({ kind: "local" }, "vm", "/r/P_dbUtil.sh", ARGS), {
    cmd: "/r/P_dbUtil.sh",
    args: ARGS,
  });
});

Deno.test("ssh engines: user options first, then ours, then one quoted remote command", () => {
  const extra = sshExtraOptions("  -p 2222\t-o ConnectTimeout=2 ");
  assert.deepEqual(extra, ["-p", "2222", "-o", "ConnectTimeout=2"]);
  assert.deepEqual(engineCommand({ kind: "ssh", extraOptions: extra }, "n1", "/r/P x.sh", ARGS), {
    cmd: "ssh",
    args: [
      "-p",
      "2222",
      "-o",
      "ConnectTimeout=2",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
      "n1",
      "'/r/P x.sh' --engine --node n1 --label 'my label'",
    ],
  });
  assert.deepEqual(sshExtraOptions(undefined), []);
});

Deno.test("srun engines: one task per node sized to its cylinders, overlapping other steps", () => {
  assert.deepEqual(engineCommand({ kind: "srun", stepCpus: 4 }, "n2", "/r/P_dbUtil.sh", ARGS), {
    cmd: "srun",
    args: [
      "--overlap",
      "--mem=0",
      "-N",
      "1",
      "-n",
      "1",
      "-c",
      "4",
      "-w",
      "n2",
      "/r/P_dbUtil.sh",
      ...ARGS,
    ],
  });
});
