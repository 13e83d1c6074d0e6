import assert from "node:assert/strict";
import type { Key } from "./key_input.ts";
import {
  EXPLAIN,
  followState,
  initialView,
  type MonitorAction,
  type MonitorView,
  onKey,
} from "./monitor_view.ts";
import { sampleState } from "./sample_state.ts";

const state = sampleState();

/** Applies keys in order; returns the final view and every action. */
function press(v: MonitorView, ...keys: Key[]): { view: MonitorView; actions: MonitorAction[] } {
  const actions: MonitorAction[] = [];
  for (const k of keys) {
    const r = onKey(v, k, state);
    v = r.view;
    if (r.action) actions.push(r.action);
  }
  return { view: v, actions };
}

Deno.test("the cursor starts on the first engine and moves within the list", () => {
  const v = followState(initialView(), state);
  assert.equal(v.selected, 0);
  assert.equal(press(v, "down", "down", "down").view.selected, 2, "stops at the last engine");
  assert.equal(press(v, "down", { char: "k" }).view.selected, 0);
  assert.equal(press(v, "end").view.selected, 2);
  assert.equal(press(v, "pagedown", "home").view.selected, 0);
  const gone = followState({ ...v, selected: 9 }, state);
  assert.equal(gone.selected, 0, "an engine that disappeared hands the cursor to the first");
});

Deno.test("E asks before stopping the selected engine; y confirms", () => {
  const v = followState(initialView(), state);
  const asked = press(v, "down", { char: "E" });
  assert.match(asked.view.confirm!.question, /^Soft-stop engine 1 on node1\?/);
  assert.deepEqual(asked.actions, []);
  const yes = press(asked.view, { char: "y" });
  assert.deepEqual(yes.actions, [{ kind: "stop", target: { engine: 1 }, what: "engine 1" }]);
  assert.equal(yes.view.confirm, null);
});

Deno.test("C asks before stopping the selected engine's context; anything but y cancels", () => {
  const v = followState(initialView(), state);
  const asked = press(v, "end", { char: "c" });
  assert.deepEqual(asked.view.confirm!.target, { context: 1 });
  assert.match(asked.view.confirm!.question, /context 1 extra/);
  const no = press(asked.view, { char: "n" });
  assert.deepEqual(no.actions, []);
  assert.equal(no.view.message, "Cancelled.");
  assert.equal(no.view.confirm, null);
  assert.deepEqual(press(asked.view, "escape").actions, []);
});

Deno.test("q and Ctrl-C quit, even during a confirmation; ? shows help", () => {
  const v = followState(initialView(), state);
  assert.deepEqual(press(v, { char: "q" }).actions, [{ kind: "quit" }]);
  assert.deepEqual(press(v, { char: "E" }, "ctrl-c").actions, [{ kind: "quit" }]);
  assert.equal(press(v, { char: "?" }).view.message, EXPLAIN);
  assert.match(press(v, { char: "x" }).view.message, /^Unknown key "x"/);
});

Deno.test("nothing can be stopped without an engine or after the end", () => {
  assert.equal(press(initialView(), { char: "E" }).view.message, "No engine selected.");
  const ended = { ...followState(initialView(), state), gone: true };
  const r = press(ended, { char: "C" });
  assert.equal(r.view.confirm, null);
  assert.match(r.view.message, /ended/);
});
