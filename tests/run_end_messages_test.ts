/**
 * What a run that could not run all its tasks says at its end: one line when nothing ran and
 * the context said why; "resume with -r" only when the status file has records to skip.
 */
import assert from "node:assert/strict";
import { commandWorks, disbatch, statusLines, withTempDir, writeTasks } from "./helpers.ts";

Deno.test({
  name: "an unresolvable host is one line (no ssh message twice, no resume advice); exit 1",
  // ssh is what reports an unresolvable host.
  ignore: !(await commandWorks("ssh", ["-V"])),
  async fn() {
    await withTempDir(async (dir) => {
      await writeTasks(`${dir}/Tasks`, "echo a\necho b\n");
      const r = await disbatch(["-s", "nosuch.invalid:1", "-p", "run", "Tasks"], {
        cwd: dir,
        env: { DISBATCH_SSH_OPTIONS: "-o ConnectTimeout=3" },
      });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^disbatch: engine on nosuch\.invalid failed \(exit 255\): ssh: [^\n]*nosuch\.invalid[^\n]*\n$/,
      );
      assert.deepEqual(await statusLines(`${dir}/run`), []);
    });
  },
});

Deno.test("no viable engine: the context's one line, no resume advice (nothing recorded)", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a\necho b\n");
    const r = await disbatch(["-s", "localhost:1", "-c", "2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^disbatch: No viable engines: [^\n]*\n$/);
    assert.doesNotMatch(r.stderr, /resume/);
  });
});

Deno.test("-C stops the only context after a task: how many did not run, and resume advice", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a\necho b\necho c\n");
    const r = await disbatch(["-s", "localhost:1", "-C", "1", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    const real = await Deno.realPath(dir);
    assert.equal(
      r.stderr,
      "disbatch: every execution context has ended but 2 task(s) did not run; add resources " +
        `with ${real}/run_dbUtil.sh or resume with -r ${real}/run_status.txt\n`,
    );
    assert.equal((await statusLines(`${dir}/run`)).length, 1);
  });
});
