/**
 * `disbatch --report`: reports of a real run (failures, retries, a barrier) and of hand-made
 * Python-format status files, opened in headless Chromium (tests/web/report.mjs): no console
 * error, no request but the file itself, the expected hosts, failures and counts. The real
 * run's screenshot is kept for the README with DISBATCH_UPDATE_SCREENSHOTS=1. Then each error
 * path: command, exit code, one-line message.
 * @module
 */
import assert from "node:assert/strict";
import { disbatch, ROOT, withTempDir, writeTasks } from "./helpers.ts";
import {
  ignoreWithout,
  PLAYWRIGHT_CORE,
  pngSize,
  requireTools,
  SCREENSHOT_DIR,
} from "./live_tools.ts";

const BROWSER_TOOLS = ["node", "chromium", "playwright-core"] as const;

interface Seen {
  error?: string;
  requests: string[];
  consoleErrors: string[];
  ready: string;
  summary: Record<string, string>;
  hosts: string[];
  failures: string[];
  slowest: string[];
  failCount: string;
  barNote: string;
  slotNote: string;
  charts: number;
  url: string;
}

/** Opens `html` in Chromium; returns what the page showed. */
async function browse(html: string, png?: string): Promise<Seen> {
  const out = await new Deno.Command("node", {
    args: [`${ROOT}/tests/web/report.mjs`, html, ...(png ? [png] : [])],
    env: { PLAYWRIGHT_CORE },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const seen = JSON.parse(new TextDecoder().decode(out.stdout)) as Seen;
  assert.equal(seen.error, undefined, seen.error);
  assert.equal(seen.ready, "1");
  assert.deepEqual(seen.consoleErrors, []);
  assert.deepEqual(seen.requests, [seen.url], "the page loads nothing but itself");
  assert.equal(seen.charts, 3);
  return seen;
}

Deno.test({
  name: "the report of a real run shows its host, failures, retries and barrier in Chromium",
  ignore: ignoreWithout(...BROWSER_TOOLS),
  fn: async () => {
    requireTools(...BROWSER_TOOLS);
    await withTempDir(async (dir) => {
      const tasks = [];
      for (let k = 0; k < 24; k++) {
        if (k === 12) tasks.push("#DISBATCH BARRIER");
        tasks.push(
          k === 5
            ? "echo starting; echo oops >&2; exit 3"
            : k === 17
            ? "sleep 0.1; exit 5"
            : `sleep 0.${(k * 7) % 10}${k % 3}`,
        );
      }
      await writeTasks(`${dir}/Tasks`, tasks.join("\n") + "\n");
      const run = await disbatch(["-s", "localhost:3", "--retries", "1", "-p", "run", "Tasks"], {
        cwd: dir,
      });
      assert.equal(run.code, 0, run.stderr);

      const r = await disbatch(["--report", "run"], { cwd: dir });
      assert.equal(r.stderr, "");
      assert.equal(r.stdout, "disbatch: report written to run_report.html\n");
      assert.equal(r.code, 0);

      const seen = await browse(`${dir}/run_report.html`, `${dir}/report.png`);
      assert.equal(seen.summary["tasks"], "24");
      assert.equal(seen.summary["failed"], "2");
      assert.equal(seen.summary["retried attempts"], "2");
      assert.equal(seen.summary["lost attempts"], "0");
      assert.equal(seen.summary["barriers"], "1");
      assert.equal(seen.summary["hosts"], "1");
      assert.match(seen.summary["utilization"], /^\d+\.\d%$/);
      assert.match(seen.slotNote, /from the driver log/);
      const host = Deno.hostname();
      assert.equal(seen.hosts.length, 1);
      assert.match(seen.hosts[0], new RegExp(`^${host}\t3\t24\t2\t2\t0\t`));
      assert.equal(seen.failCount, "(2)");
      assert.equal(seen.failures.length, 2);
      assert.match(
        seen.failures[0],
        new RegExp(
          `^5\t6\t3\t${host}\t.*\tstarting\n\toops\n\techo starting; echo oops >&2; exit 3$`,
        ),
      );
      assert.match(seen.failures[1], new RegExp(`^18\t19\t5\t${host}\t.*\tsleep 0.1; exit 5$`));
      assert.equal(seen.slowest.length, 20);
      assert.equal(seen.barNote, "26 attempts in 3 lanes."); // 24 tasks + 2 retried attempts

      const png = await Deno.readFile(`${dir}/report.png`);
      assert.deepEqual(pngSize(png), { width: 1280, height: 900 });
      assert.ok(png.length > 30_000, `a ${png.length}-byte screenshot is too plain to be the page`);
      if (SCREENSHOT_DIR) await Deno.copyFile(`${dir}/report.png`, `${SCREENSHOT_DIR}/report.png`);
    });
  },
});

Deno.test({
  name: "the report of a --capture run shows the end of each failure's output, per attempt",
  ignore: ignoreWithout(...BROWSER_TOOLS),
  fn: async () => {
    requireTools(...BROWSER_TOOLS);
    await withTempDir(async (dir) => {
      // 6000 numbered lines of stderr (more than the tail), a different stdout per attempt.
      const task =
        "seq 1 6000 >&2; echo attempt-$(ls | grep -c '^mark'); touch mark$RANDOM; exit 2";
      await writeTasks(`${dir}/Tasks`, `${task}\necho fine\n`);
      const run = await disbatch(
        ["--capture", "-s", "localhost:1", "--retries", "1", "-p", "run", "Tasks"],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      const r = await disbatch(["--report", "run"], { cwd: dir });
      assert.deepEqual([r.code, r.stderr], [0, ""]);
      const seen = await browse(`${dir}/run_report.html`);
      // Each failed attempt (the first one superseded) has its captured output below it.
      assert.equal(seen.failCount, "(1)");
      assert.equal(seen.failures.length, 2, seen.failures.join("\n"));
      assert.match(seen.failures[0], /^0\t1\t2\t/);
      const captured = seen.failures[1];
      const total = Array.from({ length: 6000 }, (_, i) => `${i + 1}\n`).join("");
      assert.ok(
        captured.startsWith(
          `captured output: stderr ${total.length.toLocaleString("en-US")} bytes, stdout 10 bytes`,
        ),
        captured,
      );
      assert.ok(captured.includes("stderr (the last 4,096 of"), captured);
      assert.ok(captured.includes(total.slice(-4096) + "stdoutattempt-1\n"), captured);
    });
  },
});

/** Python disBatch's lines (spec appendix A style): hosts, a lost task, a per-engine task. */
const PYTHON_STATUS = [
  " O  \t0\t1\t-1\tworker1\t12188\t0\t1.006\t1795647824.005\t1795647825.011\t6\t'hello\\n'\t0\t''\techo hello",
  "  E \t1\t2\t-1\tworker2\t12191\t0\t1.008\t1795647824.011\t1795647825.020\t0\t''\t4\t'err\\n'\techo err >&2",
  "R   \t2\t3\t-1\tworker1\t12270\t3\t1.020\t1795647825.000\t1795647826.020\t0\t''\t0\t''\texit 3",
  " O P\t0\t4\t-1\tworker1\t12300\t0\t0.010\t1795647823.990\t1795647824.000\t3\t'up\\n'\t0\t''\techo up",
  "B    \t3\t5\t-1\tdriverhost\t12100\t0\t1.010\t1795647825.011\t1795647826.021\t0\t''\t0\t''\t#DISBATCH BARRIER",
  "R   \t4\t6\t-1\tworker2\t-1\t-100\t40.000\t1795647826.030\t1795647866.030\t0\t''\t0\t''\tsleep 1000",
  "    \t5\t7\t-1\tworker1\t12400\t0\t2.000\t1795647826.031\t1795647828.031\t0\t''\t0\t''\tsleep 2",
];

Deno.test({
  name: "the report of Python-format status files, a torn last line ignored",
  ignore: ignoreWithout(...BROWSER_TOOLS),
  fn: async () => {
    requireTools(...BROWSER_TOOLS);
    await withTempDir(async (dir) => {
      // A file being written (or torn by a crash): its last line has no newline.
      const torn = "R   \t6\t8\t-1\tworker3\t12500\t1\t1.000\t1795647828.0";
      await Deno.writeTextFile(`${dir}/py_status.txt`, PYTHON_STATUS.join("\n") + "\n" + torn);
      const r = await disbatch(["--report", "py_status.txt", "-o", "out.html"], { cwd: dir });
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      assert.equal(r.stdout, "disbatch: report written to out.html\n");

      const seen = await browse(`${dir}/out.html`);
      assert.equal(seen.summary["tasks"], "5");
      assert.equal(seen.summary["failed"], "2");
      assert.equal(seen.summary["lost attempts"], "1");
      assert.equal(seen.summary["barriers"], "1");
      assert.equal(seen.summary["hosts"], "2", "worker3 is only on the torn line");
      assert.match(seen.slotNote, /estimated/);
      assert.deepEqual(seen.hosts.map((h) => h.split("\t").slice(0, 6)), [
        ["worker1", "2*", "3", "1", "0", "0"], // tasks 0 and 2 overlap
        ["worker2", "1*", "2", "1", "0", "1"],
      ]);
      assert.deepEqual(seen.failures.map((f) => f.split("\t").slice(0, 4)), [
        ["2", "3", "3", "worker1"],
        ["4", "6", "-100", "worker2"],
      ]);
      assert.match(seen.failures[1], /\tsleep 1000$/);
      assert.equal(seen.barNote, "6 attempts in 3 lanes.");
    });
  },
});

Deno.test("a run and its resume together: each task's last record counts", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo a\nexit 4\necho c\n");
    assert.equal(
      (await disbatch(["-s", "localhost:2", "-p", "one", "Tasks"], { cwd: dir })).code,
      0,
    );
    await writeTasks(`${dir}/Tasks`, "echo a\ntrue\necho c\n");
    const two = await disbatch(
      ["-s", "localhost:2", "-p", "two", "-r", "one_status.txt", "--force-resume", "-R", "Tasks"],
      { cwd: dir },
    );
    assert.equal(two.code, 0, two.stderr);
    const r = await disbatch(["--report", "one", "two_status.txt"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "disbatch: report written to one_report.html\n");
    const html = await Deno.readTextFile(`${dir}/one_report.html`);
    const data = JSON.parse(
      html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1],
    );
    assert.equal(data.summary.tasks, 3);
    assert.equal(data.summary.failed, 0, "the resume re-ran the failed task and it succeeded");
    assert.equal(data.summary.skipped, 2);
    assert.deepEqual(data.sources, ["one_status.txt", "two_status.txt"]);
  });
});

Deno.test("report errors: usage, missing, garbage and directory sources, unwritable output", async () => {
  await withTempDir(async (dir) => {
    const run = (args: string[]) => disbatch(["--report", ...args], { cwd: dir });
    const usage = "usage: disbatch --report SOURCE... [-o FILE]\n";

    // Usage errors in three lines: the error, the usage, where to read more.
    const usageError = (e: string) => `disbatch: error: ${e}\n${usage}Try 'disbatch --help'.\n`;
    let r = await run([]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, usageError("the following arguments are required: SOURCE"));

    r = await run(["x", "--bogus"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, usageError("unrecognized arguments: --bogus"));

    r = await run(["x", "-o"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, usageError("argument -o: expected one argument"));

    r = await run(["-h"]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith(usage), r.stdout);

    r = await run(["nope"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "disbatch: error: nope: no such status file, and no run with that prefix (nope_status.txt)\n",
    );

    await Deno.writeTextFile(`${dir}/garbage.txt`, "\nhello world\nnot\ta\tstatus line\n");
    r = await run(["garbage.txt"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "disbatch: error: garbage.txt: not a status file (line 2 is not a disBatch status line)\n",
    );

    await Deno.mkdir(`${dir}/sub`);
    r = await run(["sub"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "disbatch: error: sub: is a directory, not a status file or run prefix\n",
    );

    await Deno.writeTextFile(`${dir}/ok_status.txt`, PYTHON_STATUS[0] + "\n");
    r = await run(["ok", "-o", "missing/dir/r.html"]);
    assert.equal(r.code, 4);
    assert.match(
      r.stderr,
      /^disbatch: error: cannot write missing\/dir\/r\.html: No such file or directory \(os error 2\)\n$/,
    );
    assert.equal(r.stdout, "");

    // An empty status file (a run with no task) is a valid, empty report.
    await Deno.writeTextFile(`${dir}/empty_status.txt`, "");
    r = await run(["empty"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await Deno.stat(`${dir}/empty_report.html`)).isFile);
  });
});
