/**
 * `-w`: the web dashboard of a real run, used in headless Chromium (tests/web/browse.mjs):
 * token protection, live state, per-task lookup, a confirmed soft shutdown, the end of the
 * run; screenshots checked (and kept for the README with DISBATCH_UPDATE_SCREENSHOTS=1).
 * @module
 */
import assert from "node:assert/strict";
import { exists, resultWithin, startDisbatch, waitFor } from "./background_run.ts";
import { disbatch, ROOT, statusLines, WAIT_GO, withTempDir, writeTasks } from "./helpers.ts";
import {
  ignoreWithout,
  PLAYWRIGHT_CORE,
  pngSize,
  requireTools,
  SCREENSHOT_DIR,
} from "./live_tools.ts";

Deno.test({
  name: "the dashboard shows a live run in Chromium and soft-stops an engine after confirmation",
  ignore: ignoreWithout("node", "chromium", "playwright-core"),
  fn: async () => {
    requireTools("node", "chromium", "playwright-core");
    await withTempDir(async (dir) => {
      await writeTasks(
        `${dir}/Tasks`,
        [
          // Still running when the next task starts: the two bars get lanes of their own (one
          // ending before the other starts would share a lane, and a pixel at the chart's scale).
          "echo starting; echo oops >&2; sleep 0.3; exit 3",
          "echo fine",
          WAIT_GO,
          WAIT_GO,
          WAIT_GO,
          "echo after",
        ]
          .join("\n") + "\n",
      );
      const run = startDisbatch(["-w", "-s", "localhost:3", "-p", `${dir}/run`, "Tasks"], {
        cwd: dir,
      });
      await waitFor("P_url", () => exists(`${dir}/run_url`), 20_000);
      assert.equal((await Deno.stat(`${dir}/run_url`)).mode! & 0o777, 0o600);
      const url = (await Deno.readTextFile(`${dir}/run_url`)).trim();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
      const origin = new URL(url).origin;

      const browse = await new Deno.Command("node", {
        args: [`${ROOT}/tests/web/browse.mjs`, url, dir, `${dir}/go`],
        env: { PLAYWRIGHT_CORE },
        stdout: "piped",
        stderr: "piped",
      }).output();
      await Deno.writeTextFile(`${dir}/go`, ""); // in case the browser gave up early
      const r = await resultWithin(run, 30_000);
      const out = new TextDecoder().decode(browse.stdout);
      assert.equal(browse.code, 0, new TextDecoder().decode(browse.stderr));
      const seen = JSON.parse(out);
      assert.equal(seen.error, undefined, seen.error);

      assert.equal(seen.unauthorized, 401);
      assert.equal(seen.status, 200);
      assert.equal(seen.address, `${origin}/`, "the token leaves the address bar");
      assert.equal(seen.runStatus, "running");
      assert.equal(seen.done, "2");
      assert.match(
        seen.engineRow,
        // Three tasks run on the 3 cylinders; with short tasks before, a fourth may be queued.
        /^0\t0\t\S+\trunning\t3\/3\t[01]\t2\t1\t\d+s\t[2-5]( [2-5]){2,3}\tStop$/,
      );
      assert.match(seen.contextRow, /^0\tSSH0\t/);
      assert.match(seen.failureRow, /^0\t1\t3\t/);
      assert.match(seen.lookup, /^Task 0, line 1 \[ROE\]\n/);
      assert.match(seen.lookup, /return code\n3\n/);
      assert.match(seen.lookup, /stdout\n9 bytes\nstarting\n/);
      assert.match(seen.lookup, /stderr\n5 bytes\noops\n/);
      assert.match(seen.lookup, /command\necho starting; echo oops >&2; sleep 0.3; exit 3/);
      assert.match(
        seen.runningLookup,
        /^Task [2-4] is running on engine 0 \(\S+\); it has no status line yet\.$/,
      );
      // Held down across state updates, the button stayed, and its release still counted.
      assert.equal(seen.pressedActive, true, "the button marked is the one pressed");
      assert.equal(seen.pressedButtonKept, true, JSON.stringify(seen.heldThrough));
      assert.match(seen.confirm, /^Soft-stop engine 0 on \S+\? Running tasks finish/);
      assert.equal(seen.afterCancel, "Cancelled.");
      assert.match(seen.afterStop, /^Soft shutdown of engine 0 on \S+ requested\.$/);
      assert.match(seen.engineAfterStop, /^0\t0\t\S+\t(draining|stopped)\t/);
      // The charts drew: running tasks against slots, and a bar per finished attempt (the
      // failed one red, the other blue), each in its colour.
      const charts = seen.charts;
      assert.ok(charts.points >= 2, JSON.stringify(charts));
      assert.equal(charts.span, "last 30 minutes");
      assert.deepEqual(charts.legend.slice(1), ["running", "slots", "finished / min"]);
      assert.ok((charts.plotColours["#2f6fdf"] ?? 0) > 20, "the running line is drawn");
      assert.equal(charts.bars, 2, charts.note);
      assert.equal(charts.note, "the last 2 finished attempts, one lane per slot of each host");
      assert.ok(charts.lanes >= 1 && charts.lanes <= 2, `${charts.lanes} lanes`);
      assert.ok((charts.timelineColours["#d0312d"] ?? 0) > 20, "the failed task's bar");
      assert.ok((charts.timelineColours["#2f6fdf"] ?? 0) > 20, "the done task's bar");
      // The stopped engine was the only one: the last task never ran.
      const attempts = await statusLines(`${dir}/run`);
      assert.equal(attempts.length, 5, attempts.join("\n"));
      assert.equal(seen.finalBars, 5, "every attempt's bar, the last ones sent before the end");
      assert.equal(seen.finalStatus, `ended, exit ${r.code}`);
      assert.equal(seen.finalMessage, "The run has ended.");
      assert.equal(seen.stopButtonsAtEnd, 0);
      assert.deepEqual(seen.consoleErrors, []);
      const foreign = seen.requests.filter((u: string) => !u.startsWith(origin + "/"));
      assert.deepEqual(foreign, [], "the page fetches nothing from anywhere else");

      // The URL is told once, on stderr; P_url goes with the run.
      assert.equal(r.stderr.split("token=").length - 1, 1, r.stderr);
      assert.ok(r.stderr.startsWith(`disbatch: dashboard: ${url}\n`), r.stderr);
      assert.equal(await exists(`${dir}/run_url`), false);

      const png = await Deno.readFile(`${dir}/dashboard.png`);
      const size = pngSize(png);
      assert.equal(size.width, 1280);
      assert.ok(size.height >= 860, `height ${size.height}`);
      assert.ok(png.length > 30_000, `a ${png.length}-byte screenshot is too plain to be the page`);
      await Deno.copyFile(`${dir}/dashboard.png`, "/tmp/dashboard.png");
      if (SCREENSHOT_DIR) {
        await Deno.copyFile(`${dir}/dashboard.png`, `${SCREENSHOT_DIR}/dashboard.png`);
      }
    });
  },
});

Deno.test("-w with an unusable DISBATCH_WEB_ADDRESS is a usage error; nothing runs", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo hi\n");
    const r = await disbatch(["-w", "-s", "localhost:1", "Tasks"], {
      cwd: dir,
      env: { DISBATCH_WEB_ADDRESS: "localhost" },
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^disbatch: error: DISBATCH_WEB_ADDRESS is not host:port: localhost\n/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["Tasks"]);
  });
});
