import assert from "node:assert/strict";
import { MonitorTui, type TuiTerminal } from "./monitor_tui.ts";
import { FakeSource, sampleState } from "./sample_state.ts";

/** A terminal whose keystrokes the test types and whose output it reads. */
function fakeTerminal() {
  const typed: (Uint8Array | null)[] = [];
  let wake: (() => void) | null = null;
  const log: string[] = [];
  const term: TuiTerminal & { out: () => string; type: (s: string | null) => void } = {
    write: (t) => log.push(t),
    size: () => ({ columns: 80, rows: 24 }),
    setRaw: (raw) => log.push(raw ? "<raw>" : "<cooked>"),
    read: async () => {
      while (typed.length === 0) await new Promise<void>((r) => wake = r);
      return typed.shift()!;
    },
    out: () => log.join(""),
    type: (s) => {
      typed.push(s === null ? null : new TextEncoder().encode(s));
      wake?.();
    },
  };
  return term;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

Deno.test("the monitor takes the screen, stops an engine after confirmation and restores the terminal", async () => {
  const term = fakeTerminal();
  const src = new FakeSource(sampleState());
  const tui = new MonitorTui(term, src);
  const done = tui.run();
  await tick();
  assert.ok(term.out().startsWith("<raw>\x1b[?1049h\x1b[?25l"), "raw mode and alternate screen");
  assert.ok(term.out().includes("\x1b[7m> 0    0   node0"), "the cursor row is highlighted");
  term.type("\x1b[BE");
  await tick();
  assert.match(term.out(), /Soft-stop engine 1 on node1\? Its running tasks finish\. \[y\/N\]/);
  assert.deepEqual(src.stops, []);
  term.type("y");
  await tick();
  assert.deepEqual(src.stops, [{ engine: 1 }]);
  assert.match(term.out(), /Soft shutdown of engine 1 requested\./);
  src.push(sampleState({ done: 999 }));
  assert.match(term.out(), /done 999 /, "a new snapshot is drawn at once");
  term.type("q");
  await done;
  assert.ok(term.out().endsWith("\x1b[0m\x1b[?25h\x1b[?1049l<cooked>"));
});

Deno.test("the end of the run is shown; quit() and closed input restore the terminal too", async () => {
  const term = fakeTerminal();
  const src = new FakeSource(sampleState());
  const tui = new MonitorTui(term, src);
  const done = tui.run();
  await tick();
  src.push(sampleState({ finished: true, exitCode: 1 }));
  src.end(1);
  assert.match(term.out(), /The run has ended with exit code 1\. q quits\./);
  tui.quit();
  await done;
  assert.ok(term.out().endsWith("\x1b[?1049l<cooked>"));

  const term2 = fakeTerminal();
  const lost = new FakeSource(sampleState());
  const run2 = new MonitorTui(term2, lost).run();
  await tick();
  lost.end(null);
  assert.match(term2.out(), /Lost the driver/);
  term2.type(null);
  await run2;
  assert.ok(term2.out().endsWith("<cooked>"));
});

Deno.test("the throughput sparkline follows the snapshots' completions, interval by interval", async () => {
  const term = fakeTerminal();
  const t0 = 1_700_000_000;
  const src = new FakeSource(sampleState({ now: t0, done: 100 }));
  const tui = new MonitorTui(term, src);
  const done = tui.run();
  await tick();
  assert.match(term.out(), /finished per 5s \(measuring\)/);
  // 5 s intervals: none yet in the first, then 10, 0, 20 and 41, then one in progress.
  for (const [dt, n] of [[5, 110], [10, 110], [15, 130], [20, 170], [21, 171], [25, 172]]) {
    src.push(sampleState({ now: t0 + dt, done: n }));
  }
  const screen = term.out().split("\x1b[H").at(-1)!;
  assert.match(screen, /finished per 5s {2}▂ ▄█ {2}last 41 {2}peak 41 /);
  // Once the run is over, so is its last interval.
  src.end(0);
  const last = term.out().split("\x1b[H").at(-1)!;
  assert.match(last, /finished per 5s {2}▂ ▄█▁ {2}last 1 {2}peak 41 /);
  term.type("q");
  await done;
});
