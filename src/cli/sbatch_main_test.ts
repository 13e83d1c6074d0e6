import assert from "node:assert/strict";
import { chainedJobArgs, jobArgs, sbatchArgv } from "./sbatch_main.ts";
import { type DriverOptions, parseDriverArgs } from "./parse_args.ts";
import { runCapture } from "../proc/spawn_child.ts";

function words(argv: string[]): string[] {
  return (parseDriverArgs(argv) as DriverOptions).sbatch!;
}

Deno.test("jobArgs drops --sbatch, its options and their --", () => {
  const a = ["-e", "--sbatch", "-N", "2", "--time=1:00", "--", "-p", "out/", "Tasks"];
  assert.deepEqual(jobArgs(a, words(a)), ["-e", "-p", "out/", "Tasks"]);
  const b = ["-p", "x", "--sbatch", "-n", "4", "Tasks"];
  assert.deepEqual(jobArgs(b, words(b)), ["-p", "x", "Tasks"]);
  const c = ["--sbat", "-n", "4", "--", "Tasks"];
  assert.deepEqual(jobArgs(c, words(c)), ["Tasks"]);
});

Deno.test("sbatchArgv wraps the self command and the job's arguments, shell-quoted", () => {
  const argv = sbatchArgv(
    ["-N", "2", "-J", "my job"],
    ["/opt/deno", "run", "/r/main.ts"],
    ["--retire-cmd", "echo $NODES 'x'", "Tasks"],
  );
  assert.deepEqual(argv, [
    "-N",
    "2",
    "-J",
    "my job",
    "--wrap",
    `/opt/deno run /r/main.ts --retire-cmd 'echo $NODES '\\''x'\\''' Tasks`,
  ]);
});

Deno.test("the wrapped command survives sh", async () => {
  const args = ["--retire-cmd", "echo $NODES 'x' \"y\"", "a b"];
  const wrap = sbatchArgv([], ["printf", "%s|"], args).at(-1)!;
  const out = await runCapture("/bin/sh", ["-c", wrap]);
  assert.equal(out.stdout, `--retire-cmd|echo $NODES 'x' "y"|a b|`);
});

Deno.test("chainedJobArgs: with --chain the job learns the sbatch options, which parse back", () => {
  const a = ["--sbatch", "-N", "2", "-J", "my run", "--", "--drain-before", "60", "--chain", "T"];
  const args = chainedJobArgs(a, words(a), true);
  assert.deepEqual(args, [
    '--chain-sbatch=["-N","2","-J","my run"]',
    "--drain-before",
    "60",
    "--chain",
    "T",
  ]);
  const o = parseDriverArgs(args) as DriverOptions;
  assert.deepEqual([o.chainSbatch, o.chain, o.sbatch], [["-N", "2", "-J", "my run"], true, null]);
  assert.deepEqual(chainedJobArgs(a, words(a), false), ["--drain-before", "60", "--chain", "T"]);
});
