/**
 * The terminal monitor against a real run, in an 80×24 tmux terminal: what it shows, moving
 * the cursor, a cancelled and a confirmed soft shutdown, the end of the run, and the terminal
 * given back (normal screen, same stty settings) after `q` and after Ctrl-C.
 * @module
 */
import assert from "node:assert/strict";
import { exists, resultWithin, startDisbatch, waitFor } from "./background_run.ts";
import { disbatch, LAUNCHER, tempDir, WAIT_GO, withTempDir, writeTasks } from "./helpers.ts";
import { ignoreWithout, pngSize, requireTools, SCREENSHOT_DIR, screenToPng } from "./live_tools.ts";
import { TmuxSession } from "./tmux_session.ts";

/** A sparkline: Unicode blocks, or their ASCII stand-ins where the locale is not UTF-8. */
const SPARK = "[ ▁▂▃▄▅▆▇█_.,=+*#-]+";

/** A shell line that runs `cmd`, then says how it exited and whether the tty was restored. */
function checked(cmd: string): string {
  return `s=$(stty -g); ${cmd}; echo "EXIT=$?"; [ "$(stty -g)" = "$s" ] && echo TTY-RESTORED; ` +
    "exec sleep 300";
}

Deno.test({
  name:
    "P_dbUtil.sh --mon shows the live run, stops an engine after confirmation, restores the tty",
  ignore: ignoreWithout("tmux", "convert"),
  fn: async () => {
    requireTools("tmux", "convert");
    const { dir, cleanup } = await tempDir();
    let tmux: TmuxSession | null = null;
    try {
      await writeTasks(
        `${dir}/Tasks`,
        ["echo oops >&2; exit 3", WAIT_GO, WAIT_GO, WAIT_GO, "echo after"].join("\n") + "\n",
      );
      const run = startDisbatch(["-s", "localhost:2", "-p", `${dir}/run`, "Tasks"], { cwd: dir });
      await waitFor("the failed task", async () => {
        return await exists(`${dir}/run_status.txt`) &&
          (await Deno.readTextFile(`${dir}/run_status.txt`)).includes("\n");
      }, 20_000);
      const script = `${dir}/run_dbUtil.sh`;
      tmux = await TmuxSession.start(checked(`${script} --mon`));
      let screen = await tmux.waitFor(/running\s+2\/2 .*\n(.*\n)*.*task 0 line 1 rc 3/);
      assert.equal(screen.length, 24);
      assert.match(screen[0], /^disbatch run {2}driver \S+:\d+ +\[running\]$/);
      // The rate and ETA depend on the machine's speed: an ETA shows once a rate is known.
      assert.match(screen[1], /^\[#+\.+\] +20% {2}\S+(?: {2}ETA \S+)? {2}up \d+:\d\d$/);
      // Tasks 1-4 are not done: 2 run on the 2 cylinders; with short tasks so far, the driver
      // has queued the others on the engine already (else they wait in the driver).
      const counts = screen[2].match(
        /^done 1 {2}failed 1 {2}running 2 {2}queued (\d) {2}waiting (\d) {2}total 5$/,
      );
      assert.ok(counts, screen[2]);
      assert.equal(Number(counts[1]) + Number(counts[2]), 2, screen[2]);
      // Throughput per 5 s: measured once the monitor has seen a whole interval.
      assert.match(screen[3], new RegExp(`^finished per 5s (\\(measuring\\)|${SPARK})`));
      assert.match(screen[4], /^-- contexts \(1\) -+$/);
      assert.match(screen[5], /^ +0 {2}SSH0 +\S+ +1 node\(s\) +1 engine\(s\) {2}connected$/);
      assert.match(screen[6], /^-- engines \(1\) -+$/);
      assert.match(
        screen[8],
        new RegExp(`^> 0 {4}0 {3}\\S+ +running +2/2 +${counts[1]} +1 +1 +\\d+s {2}1 2`),
      );
      assert.match(screen[9], /^-- recent failures \(1 failed in all\) -+$/);
      assert.match(
        screen[10],
        /^ {2}task 0 line 1 rc 3 on \S+ at \d+:\d\d: echo oops >&2; exit 3$/,
      );
      assert.equal(screen[22], "Press ? for help.");
      assert.match(screen[23], /^Up\/Down j\/k: move {3}E: soft-stop engine/);
      assert.equal(await tmux.display("#{alternate_on}"), "1");
      const png = `${dir}/monitor.png`;
      await screenToPng(screen, png);
      const size = pngSize(await Deno.readFile(png));
      assert.ok(size.width > 600 && size.height > 350, JSON.stringify(size));
      if (SCREENSHOT_DIR) await Deno.copyFile(png, `${SCREENSHOT_DIR}/monitor.png`);

      // Ctrl-C in a second monitor ends it and gives the terminal back.
      await tmux.newWindow(checked(`${LAUNCHER} --mon ${dir}/run`));
      await tmux.waitFor(/task 0 line 1 rc 3/);
      await tmux.keys("C-c");
      await tmux.waitFor(/^EXIT=0\nTTY-RESTORED$/m);
      assert.equal(await tmux.display("#{alternate_on}"), "0");
      await tmux.tmux("kill-window");

      await tmux.keys("?");
      await tmux.waitFor(/^Soft stop: running tasks finish/m);
      await tmux.keys("c");
      await tmux.waitFor(/^Soft-stop context 0 SSH0 \(all its engines\)\? \[y\/N\]$/m);
      await tmux.keys("n");
      await tmux.waitFor(/^Cancelled\.$/m);
      await tmux.keys("Down", "E");
      await tmux.waitFor(/^Soft-stop engine 0 on \S+\? Its running tasks finish\. \[y\/N\]$/m);
      await tmux.keys("y");
      screen = await tmux.waitFor(/^> 0 .* draining [\s\S]*Soft shutdown of engine 0 requested\./m);

      // The engine finishes what it runs and takes nothing new: the run ends short of tasks.
      await Deno.writeTextFile(`${dir}/go`, "");
      screen = await tmux.waitFor(/The run has ended with exit code 1\. q quits\./, 20_000);
      assert.match(screen[0], /\[ended, exit 1\]$/);
      assert.match(screen[8], /^> 0 .* stopped /);
      // The tasks that finished after GO show in the sparkline (the last interval is over).
      const spark = screen[3].match(/^finished per 5s (.+?) {2}last \d+ {2}peak (\d+)$/);
      assert.ok(spark && new RegExp(`^${SPARK}$`).test(spark[1]), screen[3]);
      assert.ok(/[^ ]/.test(spark[1]) && Number(spark[2]) > 0, screen[3]);
      assert.equal(screen[23], "q quit");
      const r = await resultWithin(run, 20_000);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /task\(s\) did not run/);
      await tmux.keys("q");
      screen = await tmux.waitFor(/^EXIT=0\nTTY-RESTORED$/m);
      assert.equal(screen[0], "EXIT=0", "the monitor's screen is gone");
      assert.equal(await tmux.display("#{alternate_on}"), "0");

      // The direct form on an ended run says so.
      await tmux.newWindow(checked(`${LAUNCHER} --mon ${dir}/run`));
      screen = await tmux.waitFor(/^EXIT=1$/m);
      assert.match(screen[0], /^disbatch: the run \S+\/run has ended with exit code 1 /);
    } finally {
      await tmux?.kill();
      await cleanup();
    }
  },
});

Deno.test("--mon without a terminal or without a run fails clearly", async () => {
  await withTempDir(async (dir) => {
    const notty = await disbatch(["--mon", `${dir}/nothing`], { cwd: dir });
    assert.equal(notty.code, 2);
    assert.match(notty.stderr, /the monitor needs a terminal/);
    const usage = await disbatch(["--mon"], { cwd: dir });
    assert.equal(usage.code, 2);
    assert.equal(
      usage.stderr,
      "disbatch: error: no run given\nusage: disbatch --mon PREFIX|P_dbUtil.sh\n" +
        "Try 'disbatch --help'.\n",
    );
  });
});
