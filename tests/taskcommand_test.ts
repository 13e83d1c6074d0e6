/**
 * `--taskcommand`: tasks are read from a program's output as it produces them (no look-ahead),
 * the program finds the run through DISBATCH_DBUTIL, and its failure fails the run.
 */
import assert from "node:assert/strict";
import { disbatch, project, splitStatus, statusLines, withTempDir, writeTasks } from "./helpers.ts";

Deno.test("--taskcommand streams: each task runs before the next line exists", async () => {
  await withTempDir(async (dir) => {
    // Emits a task, then waits for that task's output before emitting the next one: a driver
    // that read one line ahead before starting a task would wait forever (until exit 9).
    await writeTasks(
      `${dir}/gen.sh`,
      `for i in 1 2 3; do
  echo "echo $i > out$i"
  n=0
  until [ -s out$i ]; do
    sleep 0.02; n=$((n + 1))
    if [ $n -ge 500 ]; then echo "task $i did not run" >&2; exit 9; fi
  done
done
echo "echo $DISBATCH_DBUTIL"
`,
    );
    const r = await disbatch(["--taskcommand", "sh gen.sh", "-s", "localhost:2", "-p", "tc"], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = await statusLines(`${dir}/tc`);
    assert.deepEqual(lines.slice(0, 3).map(project), [
      "    |0|1|-1|0|0|''|0|''|echo 1 > out1",
      "    |1|2|-1|0|0|''|0|''|echo 2 > out2",
      "    |2|3|-1|0|0|''|0|''|echo 3 > out3",
    ]);
    // The command saw the run's helper script.
    const last = splitStatus(lines[3]);
    assert.deepEqual([last[1], last[6], last[10], last[14]], [
      "3",
      "0",
      String(`${dir}/tc_dbUtil.sh\n`.length),
      `echo ${dir}/tc_dbUtil.sh`,
    ]);
  });
});

Deno.test("--taskcommand exiting non-zero: what it gave runs, then the run exits 1", async () => {
  await withTempDir(async (dir) => {
    const r = await disbatch(
      ["--taskcommand", "echo 'echo hi'; exit 4", "-s", "localhost:2", "-p", "tc"],
      { cwd: dir },
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--taskcommand exited with 4/);
    assert.deepEqual((await statusLines(`${dir}/tc`)).map(project), [
      " O  |0|1|-1|0|3|'hi\\n'|0|''|echo hi",
    ]);
  });
});
