/**
 * The driver's progress line: one updating line on stderr when it is a terminal (checked in a
 * tmux terminal), erased at the end; nothing at all when stderr is not a terminal.
 * @module
 */
import assert from "node:assert/strict";
import { disbatch, LAUNCHER, tempDir, WAIT_GO, withTempDir, writeTasks } from "./helpers.ts";
import { ignoreWithout, requireTools } from "./live_tools.ts";
import { shellWord, TmuxSession } from "./tmux_session.ts";

Deno.test({
  name: "a run on a terminal shows one progress line and erases it at the end",
  ignore: ignoreWithout("tmux"),
  fn: async () => {
    requireTools("tmux");
    const { dir, cleanup } = await tempDir();
    let tmux: TmuxSession | null = null;
    try {
      await writeTasks(`${dir}/Tasks`, ["exit 4", "echo ok", WAIT_GO, WAIT_GO].join("\n") + "\n");
      tmux = await TmuxSession.start(
        `cd ${shellWord(dir)} && ${LAUNCHER} -s localhost:2 -p run Tasks; echo "EXIT=$?"; ` +
          "exec sleep 300",
      );
      const screen = await tmux.waitFor(/^disbatch: 50%, 2 done, 1 failed, 2 running, /m, 20_000);
      const line = screen.find((l) => l.startsWith("disbatch: "))!;
      // Nothing is queued: two tasks are left for two cylinders. (The rate, once measured,
      // brings an ETA.)
      assert.match(
        line,
        /^disbatch: 50%, 2 done, 1 failed, 2 running, [\d.]+\/(s|min)(, ETA \S+)?$/,
      );
      assert.equal(screen.filter((l) => l !== "").length, 1, "one line, updated in place");
      await Deno.writeTextFile(`${dir}/go`, "");
      const end = await tmux.waitFor(/^EXIT=0$/m, 20_000);
      assert.deepEqual(end.filter((l) => l !== ""), ["EXIT=0"], "the line is erased");
    } finally {
      await tmux?.kill();
      await cleanup();
    }
  },
});

Deno.test("without a terminal the run prints no progress", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "sleep 0.6\nexit 2\n");
    const r = await disbatch(["-s", "localhost:2", "-p", "run", "Tasks"], { cwd: dir });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "");
  });
});
