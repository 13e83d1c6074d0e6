import assert from "node:assert/strict";
import { renderMonitor, THROUGHPUT_MIN_ROWS, throughputLine } from "./monitor_screen.ts";
import { ASCII_LEVELS } from "./sparkline.ts";
import { followState, initialView } from "./monitor_view.ts";
import { sampleEngine, sampleState } from "./sample_state.ts";

const state = sampleState();
const view = followState(initialView(), state);

Deno.test("an 80x24 screen shows progress, contexts, engines, failures and keys", () => {
  const f = renderMonitor(state, view, 80, 24);
  assert.equal(f.lines.length, 24);
  for (const l of f.lines) assert.equal(l.length, 79);
  const text = f.lines.map((l) => l.trimEnd());
  assert.equal(
    text[0],
    "disbatch Tasks_disBatch_231114221320_123  driver login1:777" + " ".repeat(11) + "[running]",
  );
  assert.match(text[1], /^\[#{21}\.{25}\] {2}45% {2}3\.6\/s {2}ETA 2:32 {2}up 2:05$/);
  assert.equal(
    text[2],
    "done 450  failed 2  running 9  queued 0  waiting 541  total 1000",
  );
  assert.match(text[3], /^-- contexts \(2\) -+$/);
  assert.match(text[4], /^\s+0 {2}SSH0\s+login1\s+2 node\(s\)\s+2 engine\(s\) {2}connected$/);
  assert.match(text[6], /^-- engines \(3\) -+$/);
  assert.match(
    text[7],
    /^ {2}rank ctx node\s+status\s+run\/slots\s+queue\s+done\s+fail\s+quiet {2}tasks$/,
  );
  assert.match(text[8], /^> 0 {4}0 {3}node0\s+running\s+4\/4\s+0\s+196\s+0\s+0s {2}447 \+3 *$/);
  assert.match(text[10], /^ {2}2 {4}1 {3}gpu7\s+running\s+1\/1\s+0\s+58\s+0\s+0s {2}455$/);
  assert.equal(f.cursor, 8);
  assert.match(text[11], /^-- recent failures \(2 failed in all\) -+$/);
  assert.equal(text[12], "  task 301 line 302 rc -9 on node1 at 1:40: ./simulate --seed 301");
  assert.equal(text[13], "  task 17 line 18 rc 1 on node1 at 0:20: ./simulate --seed 17");
  assert.deepEqual(text.slice(14, 22), Array(8).fill(""), "unused rows stay blank");
  assert.equal(text[22], "Press ? for help.");
  assert.match(text[23], /^Up\/Down/);
});

Deno.test("running and queued tasks show apart: never more running than cylinders", () => {
  const engines = [
    sampleEngine({ rank: 0, cylinders: 2, tasks: [10, 11, 12, 13] }),
    sampleEngine({ rank: 1, cylinders: 2, tasks: [14] }),
  ];
  const s = sampleState({ engines, running: 3, queued: 2, waiting: 7, skipped: 4 });
  const text = renderMonitor(s, view, 80, 24).lines.map((l) => l.trimEnd());
  assert.equal(
    text[2],
    "done 450  failed 2  running 3  queued 2  waiting 7  skipped 4  total 1000",
  );
  const barriers = renderMonitor(sampleState({ barriers: 3 }), view, 80, 24).lines[2];
  assert.ok(barriers.trimEnd().endsWith("  waiting 541  barriers 3  total 1000"), barriers);
  assert.match(text[8], /^> 0 {4}0 {3}node0\s+running\s+2\/2\s+2\s+0\s+0\s+0s {2}10 11 \+2$/);
  assert.match(text[9], /^ {2}1 {4}0 {3}node1\s+running\s+1\/2\s+0\s+0\s+0\s+0s {2}14$/);
});

Deno.test("rows the engines do not need show more failures, newest first", () => {
  const failures = Array.from(
    { length: 20 },
    (_, i) => ({ ...state.recentFailures[0], taskId: i }),
  );
  const f = renderMonitor(sampleState({ recentFailures: failures }), view, 80, 24);
  const shown = f.lines.filter((l) => l.startsWith("  task ")).map((l) => l.split(" ")[3]);
  assert.deepEqual(shown, ["19", "18", "17", "16", "15", "14", "13", "12", "11", "10"]);
  assert.equal(f.lines.length, 24);
});

Deno.test("many engines scroll around the cursor and the rule says which are shown", () => {
  const engines = Array.from({ length: 40 }, (_, i) => sampleEngine({ rank: i }));
  const s = sampleState({ engines, recentFailures: [], contexts: state.contexts.slice(0, 1) });
  const f = renderMonitor(s, { ...view, selected: 20 }, 80, 24);
  const rule = f.lines.find((l) => l.startsWith("-- engines"))!;
  assert.match(rule, /^-- engines \(40, 14-28 shown\) -+/);
  assert.match(f.lines[f.cursor!], /^> 20 /);
  assert.equal(f.lines.length, 24);
  const last = renderMonitor(s, { ...view, selected: 39 }, 80, 24);
  assert.match(last.lines[last.cursor!], /^> 39 /);
  assert.match(last.lines[21], /^> 39 /, "the last engine sits on the last engine row");
});

Deno.test("a confirmation replaces the message line; the end and unknown totals show", () => {
  const asking = {
    ...view,
    confirm: { target: { engine: 0 }, question: "Soft-stop engine 0 on node0? [y/N]" },
  };
  assert.equal(renderMonitor(state, asking, 80, 24).lines[22].trimEnd(), asking.confirm.question);
  const ended = sampleState({ finished: true, exitCode: 1, total: null, eta: null });
  const f = renderMonitor(ended, view, 80, 24).lines.map((l) => l.trimEnd());
  assert.match(f[0], /\[ended, exit 1\]$/);
  assert.equal(f[1], "total not known yet (all read)  3.6/s  up 2:05");
  assert.equal(f[23], "q quit");
  const gone = renderMonitor(state, { ...view, gone: true }, 80, 24).lines[0];
  assert.match(gone, /\[driver gone\]$/);
});

Deno.test("control characters from the run cannot reach the terminal", () => {
  const s = sampleState({
    recentFailures: [{ ...state.recentFailures[0], command: "echo \x1b[2J\tboom\x07" }],
  });
  const line = renderMonitor(s, view, 80, 24).lines.find((l) => l.includes("boom"))!;
  assert.match(line, /echo \?\[2J boom\?/);
});

Deno.test("before the first snapshot and on a tiny terminal the screen still fits", () => {
  const f = renderMonitor(null, initialView(), 80, 24);
  assert.equal(f.lines.length, 24);
  assert.match(f.lines[0], /^disbatch monitor\s+\[connecting\]$/);
  const tiny = renderMonitor(state, view, 40, 10);
  assert.equal(tiny.lines.length, 10);
  assert.match(tiny.lines[0], /^Terminal too small: need 60x14/);
  assert.equal(tiny.cursor, null);
  const smallest = renderMonitor(state, view, 60, 14);
  assert.equal(smallest.lines.length, 14);
  assert.ok(smallest.cursor !== null, "the cursor's engine is shown at the smallest size");
});

Deno.test("a snapshot that lists only some engines says how many there are", () => {
  const engines = Array.from({ length: 5 }, (_, i) => sampleEngine({ rank: i }));
  const s = sampleState({
    engines,
    engineTotals: { ...state.engineTotals, engines: 1000, running: 1000 },
    recentFailures: [],
  });
  const rule = renderMonitor(s, view, 80, 24).lines.find((l) => l.startsWith("-- engines"))!;
  assert.match(rule, /^-- engines \(1000; 5 listed, live first\) -+/);
});

Deno.test("the throughput line: a sparkline with the last and peak counts, narrowed to fit", () => {
  const t = { counts: [0, 2, 4, 8, 6], seconds: 5 };
  assert.equal(throughputLine(t, 60), "finished per 5s  ▂▄█▆  last 6  peak 8".padEnd(60));
  const long = { counts: Array.from({ length: 200 }, (_, k) => k % 9), seconds: 5 };
  const wide = throughputLine(long, 79);
  assert.equal(wide.length, 79);
  assert.match(wide, /^finished per 5s [ ▁▂▃▄▅▆▇█]{47} {2}last 1 {2}peak 8$/);
  // Too narrow for the figures: the chart alone, as wide as it can be.
  assert.equal(throughputLine(t, 24), "finished per 5s  ▂▄█▆   ");
  assert.equal(throughputLine({ counts: [], seconds: 5 }, 30), "finished per 5s (measuring)   ");
  const ascii = throughputLine({ ...t, levels: ASCII_LEVELS }, 60);
  assert.equal(ascii, "finished per 5s  .-#+  last 6  peak 8".padEnd(60));
});

Deno.test("the throughput line sits under the counts when the terminal has the rows for it", () => {
  const t = { counts: [1, 3, 2], seconds: 5 };
  const tall = renderMonitor(state, view, 60, THROUGHPUT_MIN_ROWS, t).lines;
  assert.equal(tall.length, THROUGHPUT_MIN_ROWS);
  assert.match(tall[2], /^done 450 /);
  assert.match(tall[3], /^finished per 5s ▃█▆ {2}last 2 {2}peak 3 *$/);
  assert.match(tall[4], /^-- contexts/);
  const short = renderMonitor(state, view, 60, THROUGHPUT_MIN_ROWS - 1, t).lines;
  assert.equal(short.length, THROUGHPUT_MIN_ROWS - 1);
  assert.ok(!short.some((l) => l.startsWith("finished per")), "left out first");
  assert.match(short[3], /^-- contexts/);
});
