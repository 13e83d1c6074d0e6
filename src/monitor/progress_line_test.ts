import assert from "node:assert/strict";
import { formatProgress, ProgressLine } from "./progress_line.ts";
import { sampleState } from "./sample_state.ts";

Deno.test("formatProgress shows percent, counts, rate and ETA", () => {
  assert.equal(
    formatProgress(sampleState(), 200),
    "disbatch: 45%, 450 done, 2 failed, 9 running, 541 waiting, 3.6/s, ETA 2:32",
  );
  // Tasks queued on engines ahead of time are not running.
  assert.equal(
    formatProgress(sampleState({ running: 2, queued: 2, waiting: 0, total: null, eta: null }), 200),
    "disbatch: 450 done, 2 failed, 2 running, 2 queued, 3.6/s",
  );
});

Deno.test("formatProgress leaves out what is unknown or zero", () => {
  const s = sampleState({ total: null, eta: null, failed: 0, waiting: 0, rate: 0 });
  assert.equal(formatProgress(s, 200), "disbatch: 450 done, 9 running, 0/s");
  const stopping = sampleState({ total: null, eta: null, stoppedBy: "signal" });
  assert.match(formatProgress(stopping, 200), /, stopping \(signal\)$/);
});

Deno.test("formatProgress counts barriers towards the percentage and never uses the last column", () => {
  const s = sampleState({ total: 10, done: 8, barriers: 2 });
  assert.match(formatProgress(s, 200), /^disbatch: 100%, 8 done/);
  assert.equal(formatProgress(sampleState(), 30), "disbatch: 45%, 450 done, 2 fa");
  assert.equal(formatProgress(sampleState(), 30).length, 29);
});

Deno.test("formatProgress takes a terminal reporting no width as 80 columns", () => {
  const long = sampleState({ stoppedBy: "a very long reason that goes past the end of the line" });
  const full = formatProgress(long, 80);
  assert.equal(full.length, 79);
  for (const width of [0, -1, NaN]) assert.equal(formatProgress(long, width), full, `${width}`);
});

Deno.test("ProgressLine redraws in place and keeps messages above it", () => {
  let out = "";
  let cols = 40;
  const p = new ProgressLine((t) => out += t, () => cols);
  p.clear();
  assert.equal(out, "", "nothing to erase before the first draw");
  p.show(sampleState());
  assert.equal(out, "\rdisbatch: 45%, 450 done, 2 failed, 9 ru\x1b[K");
  out = "";
  cols = 20;
  p.above(() => out += "warning\n");
  assert.equal(out, "\r\x1b[Kwarning\n\rdisbatch: 45%, 450 \x1b[K");
  out = "";
  p.clear();
  p.clear();
  assert.equal(out, "\r\x1b[K");
  out = "";
  p.above(() => out += "x\n");
  assert.equal(out, "x\n", "a cleared line is not redrawn");
});
