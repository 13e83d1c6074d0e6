/**
 * What the terminal monitor's user has chosen (cursor, pending confirmation, last message),
 * and how keys change it: a pure reducer, so every key's effect is unit-tested.
 * @module
 */
import type { EngineView, RunState } from "../protocol/messages.ts";
import type { Key } from "./key_input.ts";
import type { StopTarget } from "./run_watcher.ts";

/** The user's side of the monitor. */
export interface MonitorView {
  /** Rank of the engine under the cursor; null before any engine is known. */
  selected: number | null;
  /** A soft shutdown waiting for yes/no. */
  confirm: { target: StopTarget; question: string } | null;
  /** One line for the user (results, errors, help). */
  message: string;
  /** The driver is gone (the run ended or the driver died). */
  gone: boolean;
}

/** What the monitor must do after a key. */
export type MonitorAction = { kind: "quit" } | { kind: "stop"; target: StopTarget; what: string };

/** The keys, always shown at the bottom. */
export const HELP = "Up/Down j/k: move   E: soft-stop engine   C: soft-stop its context   q: quit";

/** What `?` explains. */
export const EXPLAIN = "Soft stop: running tasks finish, no new ones start, then STOP tasks run.";

/** The initial view. */
export function initialView(): MonitorView {
  return { selected: null, confirm: null, message: "Press ? for help.", gone: false };
}

/** Engines in display order. */
export function engineOrder(s: RunState | null): EngineView[] {
  return s ? [...s.engines].sort((a, b) => a.rank - b.rank) : [];
}

/** Keeps the cursor on an existing engine (the first one when its engine disappeared). */
export function followState(v: MonitorView, s: RunState): MonitorView {
  const engines = engineOrder(s);
  if (engines.some((e) => e.rank === v.selected)) return v;
  return { ...v, selected: engines[0]?.rank ?? null };
}

function move(v: MonitorView, s: RunState | null, by: number): MonitorView {
  const engines = engineOrder(s);
  if (engines.length === 0) return v;
  const at = Math.max(0, engines.findIndex((e) => e.rank === v.selected));
  const to = Math.min(engines.length - 1, Math.max(0, at + by));
  return { ...v, selected: engines[to].rank };
}

function ask(v: MonitorView, s: RunState | null, scope: "engine" | "context"): MonitorView {
  if (v.gone) return { ...v, message: "The run has ended: nothing to stop." };
  const e = engineOrder(s).find((x) => x.rank === v.selected);
  if (!e) return { ...v, message: "No engine selected." };
  if (scope === "engine") {
    return {
      ...v,
      confirm: {
        target: { engine: e.rank },
        question: `Soft-stop engine ${e.rank} on ${e.node}? Its running tasks finish. [y/N]`,
      },
    };
  }
  const label = s?.contexts.find((c) => c.rank === e.contextRank)?.label ?? "";
  return {
    ...v,
    confirm: {
      target: { context: e.contextRank },
      question: `Soft-stop context ${e.contextRank} ${label} (all its engines)? [y/N]`,
    },
  };
}

/** Applies one key. */
export function onKey(
  v: MonitorView,
  key: Key,
  s: RunState | null,
): { view: MonitorView; action: MonitorAction | null } {
  if (key === "ctrl-c") return { view: v, action: { kind: "quit" } };
  if (v.confirm) {
    const target = v.confirm.target;
    const yes = typeof key === "object" && (key.char === "y" || key.char === "Y");
    const cleared = { ...v, confirm: null };
    if (!yes) return { view: { ...cleared, message: "Cancelled." }, action: null };
    const what = "engine" in target ? `engine ${target.engine}` : `context ${target.context}`;
    return {
      view: { ...cleared, message: `Asking the driver to stop ${what}…` },
      action: { kind: "stop", target, what },
    };
  }
  switch (key) {
    case "up":
      return { view: move(v, s, -1), action: null };
    case "down":
      return { view: move(v, s, 1), action: null };
    case "pageup":
      return { view: move(v, s, -10), action: null };
    case "pagedown":
      return { view: move(v, s, 10), action: null };
    case "home":
      return { view: move(v, s, -Infinity), action: null };
    case "end":
      return { view: move(v, s, Infinity), action: null };
    case "enter":
    case "escape":
      return { view: { ...v, message: "" }, action: null };
  }
  switch (key.char) {
    case "k":
      return { view: move(v, s, -1), action: null };
    case "j":
      return { view: move(v, s, 1), action: null };
    case "e":
    case "E":
      return { view: ask(v, s, "engine"), action: null };
    case "c":
    case "C":
      return { view: ask(v, s, "context"), action: null };
    case "q":
    case "Q":
      return { view: v, action: { kind: "quit" } };
    case "?":
    case "h":
      return { view: { ...v, message: EXPLAIN }, action: null };
  }
  return {
    view: { ...v, message: `Unknown key ${JSON.stringify(key.char)}; ? for help.` },
    action: null,
  };
}
