/**
 * The dashboard's single page: HTML, CSS and script in one constant (uPlot, for the chart of
 * running tasks, included), so the executable serves it with no file, CDN or other network
 * fetch. Run data is only ever put in the page as text (`textContent`), never as markup.
 * @module
 */
import { UPLOT_CSS, UPLOT_JS } from "../report/vendor/uplot_assets.ts";

/** The page served at `/`. */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>disbatch</title>
<style>${UPLOT_CSS}</style>
<style>
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9dee4; --ok: #1f7a3f; --warn: #a86300;
  --bad: #b3261e; --accent: #2463eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  background: #f4f5f7; }
header { display: flex; gap: 16px; align-items: baseline; padding: 12px 20px; background: var(--ink);
  color: #fff; }
header h1 { font-size: 18px; margin: 0; }
header .sub { color: #c7ced6; }
header .pill { margin-left: auto; }
main { padding: 16px 20px; display: grid; gap: 16px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
h2 { font-size: 15px; margin: 0 0 8px; }
.bar { height: 14px; background: #e6e9ed; border-radius: 7px; overflow: hidden; }
.bar > div { height: 100%; width: 0; background: var(--accent); transition: width .4s; }
.numbers { display: flex; flex-wrap: wrap; gap: 8px 28px; margin-top: 10px; }
.numbers div { min-width: 70px; }
.numbers b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
.numbers span { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
code, pre { font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { white-space: pre-wrap; word-break: break-all; margin: 0; background: #f4f5f7; padding: 4px 6px;
  border-radius: 4px; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff;
  background: var(--muted); }
.pill.running, .pill.connected { background: var(--ok); }
.pill.draining, .pill.starting, .pill.stopping { background: var(--warn); }
.pill.lost, .pill.failed, .pill.bad { background: var(--bad); }
.pill.done { background: var(--accent); }
button { font: inherit; padding: 2px 10px; border-radius: 5px; border: 1px solid var(--line);
  background: #fff; cursor: pointer; }
button.stop { color: var(--bad); border-color: #e3b5b2; }
button.primary { background: var(--bad); color: #fff; border-color: var(--bad); }
a.task { color: var(--accent); cursor: pointer; margin-right: 6px; }
.empty { color: var(--muted); }
#message { min-height: 1.4em; margin: 8px 0 0; color: var(--muted); }
.lookup { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
.lookup input { font: inherit; width: 120px; padding: 2px 6px; }
.record { border-top: 1px solid var(--line); padding: 8px 0; }
.record h3 { font-size: 14px; margin: 0 0 6px; }
.record dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0 0 6px; }
.record dt { color: var(--muted); }
.record dd { margin: 0; }
h2 small { color: var(--muted); font-weight: normal; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 1000px) { .pair { grid-template-columns: 1fr; } }
.pair > section { min-width: 0; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted);
  margin-bottom: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
#timeline canvas { display: block; width: 100%; height: 250px; cursor: pointer; }
#chart { min-height: 250px; }
dialog { border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; max-width: 480px; }
dialog::backdrop { background: rgba(31, 41, 51, .35); }
dialog .actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 14px; }
</style>
</head>
<body>
<header>
  <h1>disbatch</h1><span id="job"></span><span class="sub" id="driver"></span>
  <span class="pill" id="status">connecting</span>
</header>
<main>
  <section>
    <div class="bar"><div id="bar"></div></div>
    <div class="numbers">
      <div><b id="pct">-</b><span>progress</span></div>
      <div><b id="done">-</b><span>done</span></div>
      <div><b id="failed">-</b><span>failed</span></div>
      <div><b id="running">-</b><span>running</span></div>
      <div><b id="queued">-</b><span>queued</span></div>
      <div><b id="waiting">-</b><span>waiting</span></div>
      <div><b id="skipped">-</b><span>skipped</span></div>
      <div><b id="barriers">-</b><span>barriers</span></div>
      <div><b id="total">-</b><span>total</span></div>
      <div><b id="rate">-</b><span>rate</span></div>
      <div><b id="eta">-</b><span>ETA</span></div>
      <div><b id="elapsed">-</b><span>elapsed</span></div>
    </div>
    <p id="message"></p>
  </section>
  <div class="pair">
  <section>
    <h2>Running tasks and slots <small id="chart-span"></small></h2>
    <div id="chart"><p class="empty">Waiting for data…</p></div>
  </section>
  <section>
    <h2>Recent tasks <small id="timeline-note"></small></h2>
    <div class="legend"><span><i style="background:#2f6fdf"></i>done</span>
      <span><i style="background:#d0312d"></i>failed</span>
      <span><i style="background:#e8a33d"></i>retried attempt</span>
      <span><i style="background:#8e44ad"></i>lost attempt</span>
      <span><i style="background:#9aa5b1"></i>per-engine task</span>
      <span>click a bar: look the task up</span></div>
    <div id="timeline"><canvas height="0"></canvas></div>
  </section>
  </div>
  <section>
    <h2>Contexts</h2>
    <table><thead><tr><th>rank</th><th>label</th><th>host</th><th>nodes</th>
      <th class="num">engines</th><th>state</th><th></th></tr></thead>
      <tbody id="contexts"></tbody></table>
  </section>
  <section>
    <h2>Engines <span id="engine-count"></span></h2>
    <table><thead><tr><th>rank</th><th>ctx</th><th>node</th><th>status</th>
      <th class="num">running/slots</th><th class="num">queued</th><th class="num">done</th><th class="num">failed</th>
      <th class="num">quiet</th><th>current tasks</th><th></th></tr></thead>
      <tbody id="engines"></tbody></table>
  </section>
  <section>
    <h2>Recent failures</h2>
    <table><thead><tr><th>task</th><th class="num">line</th><th class="num">rc</th><th>host</th>
      <th>finished</th><th>command</th></tr></thead>
      <tbody id="failures"></tbody></table>
  </section>
  <section>
    <h2>Task lookup</h2>
    <form class="lookup" id="lookup-form">
      <label for="lookup-id">Task id</label><input id="lookup-id" inputmode="numeric" autocomplete="off">
      <button id="lookup-go" type="submit">Look up</button>
    </form>
    <div id="lookup-result" class="empty">Click a task id, or enter one.</div>
  </section>
</main>
<dialog id="confirm">
  <p id="confirm-text"></p>
  <div class="actions"><button id="confirm-no" type="button">Cancel</button>
    <button id="confirm-yes" class="primary" type="button">Stop</button></div>
</dialog>
<script>${UPLOT_JS}</script>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let state = null;
let end = null;
let lost = false;
let pending = null;

function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const kid of kids) e.append(kid instanceof Node ? kid : String(kid));
  return e;
}
function dur(sec) {
  const s = Math.max(0, Math.floor(sec));
  const p = (n) => String(n).padStart(2, "0");
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  if (d > 0) return d + "d " + p(h) + ":" + p(m);
  if (h > 0) return h + ":" + p(m) + ":" + p(s % 60);
  return m + ":" + p(s % 60);
}
function rate(r) {
  if (!(r > 0)) return "0/s";
  if (r >= 10) return Math.round(r) + "/s";
  if (r >= 1) return r.toFixed(1) + "/s";
  return (r * 60).toFixed(1) + "/min";
}
const clock = (t) => new Date(t * 1000).toLocaleString();
const td = (v, cls) => el("td", cls ? { class: cls } : {}, v);
const pill = (text, cls) => el("span", { class: "pill " + (cls || text) }, text);
function say(text) { $("message").textContent = text; }
function taskLink(id) {
  return el("a", { class: "task", "data-task": id, onclick: () => lookup(id) }, String(id));
}
function over() { return end !== null || (state !== null && state.finished); }

// A table rebuilt between a button's press and its release would lose the click (the button
// pressed is gone by then): while a pointer is down in a table, rendering waits for the release
// (at most 2 s, should the release never come).
let pressedAt = null;
let renderLater = false;
document.addEventListener("pointerdown", (ev) => {
  pressedAt = ev.target.closest("table") ? Date.now() : null;
}, true);
for (const type of ["pointerup", "pointercancel"]) {
  document.addEventListener(type, () => {
    pressedAt = null;
    // After the click that follows the release.
    if (renderLater) setTimeout(render, 0);
    renderLater = false;
  }, true);
}

function render() {
  const s = state;
  if (!s) return;
  if (pressedAt !== null && Date.now() - pressedAt < 2000) {
    renderLater = true;
    return;
  }
  document.title = "disbatch " + s.jobId;
  $("job").textContent = s.jobId;
  $("driver").textContent = "driver " + s.driverHost + ":" + s.driverPid;
  const status = $("status");
  if (over()) {
    const code = end !== null ? end.exitCode : s.exitCode;
    status.textContent = "ended, exit " + code;
    status.className = "pill " + (code === 0 ? "done" : "bad");
  } else if (lost) {
    status.textContent = "connection lost";
    status.className = "pill bad";
  } else if (s.stoppedBy) {
    status.textContent = "stopping: " + s.stoppedBy;
    status.className = "pill stopping";
  } else {
    status.textContent = "running";
    status.className = "pill running";
  }
  const pct = s.total ? Math.min(100, Math.floor(100 * (s.done + s.barriers) / s.total)) : null;
  $("bar").style.width = (pct === null ? 0 : pct) + "%";
  $("pct").textContent = pct === null ? "?" : pct + "%";
  for (const k of ["done", "failed", "running", "queued", "waiting", "skipped", "barriers"]) {
    $(k).textContent = s[k];
  }
  $("total").textContent = s.total === null ? "?" : s.total;
  $("rate").textContent = rate(s.rate);
  $("eta").textContent = s.eta === null ? "-" : dur(s.eta);
  $("elapsed").textContent = dur(s.now - s.started);
  const live = !over();
  $("contexts").replaceChildren(...s.contexts.map((c) => {
    const what = "context " + c.rank + " (" + c.label + ") and all its engines";
    const more = c.nodeCount > c.nodes.length ? " … (" + c.nodeCount + " nodes)" : "";
    return el("tr", { "data-context": c.rank }, td(c.rank), td(c.label), td(c.host),
      td(c.nodes.join(" ") + more), td(c.engines, "num"),
      td(pill(c.connected ? "connected" : "ended")),
      td(live && c.connected
        ? el("button", { class: "stop", onclick: () => ask({ context: c.rank }, what) }, "Stop")
        : ""));
  }));
  const engines = [...s.engines].sort((a, b) => a.rank - b.rank);
  // A large run's snapshot lists only some engines, live ones first; the totals count all.
  const t = s.engineTotals;
  $("engine-count").textContent = "(" + t.engines + (t.engines > engines.length
    ? ": " + t.running + " running, " + t.lost + " lost; " + engines.length + " listed)"
    : ")");
  $("engines").replaceChildren(...engines.map((e) => {
    const what = "engine " + e.rank + " on " + e.node;
    // Once the run has tasks with RESOURCES: the engine's cores (and GPUs) used/total first.
    const use = e.cores === undefined ? [] : [el("span", { class: "use" },
      "cores " + e.usedCores + "/" + e.cores + (e.gpus ? " gpus " + e.usedGpus + "/" + e.gpus : "") + " ")];
    const tasks = el("td", {}, ...use, ...e.tasks.flatMap((id, i) => i ? [" ", taskLink(id)] : [taskLink(id)]));
    const canStop = live && (e.status === "running" || e.status === "starting");
    return el("tr", { "data-engine": e.rank }, td(e.rank), td(e.contextRank), td(e.node),
      td(pill(e.status)), td(e.running + "/" + e.cylinders, "num"), td(e.queued, "num"),
      td(e.finished, "num"),
      td(e.failed, "num"), td(Math.floor(e.silentFor) + "s", "num"), tasks,
      td(canStop
        ? el("button", { class: "stop", onclick: () => ask({ engine: e.rank }, what) }, "Stop")
        : ""));
  }));
  const failures = [...s.recentFailures].reverse();
  $("failures").replaceChildren(...(failures.length === 0
    ? [el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No failures."))]
    : failures.map((f) => el("tr", {}, el("td", {}, taskLink(f.taskId)), td(f.line, "num"),
      td(f.rc, "num"), td(f.host), td(clock(f.finish)), td(el("code", {}, f.command))))));
}

function ask(target, what) {
  pending = { target, what };
  $("confirm-text").textContent = "Soft-stop " + what +
    "? Running tasks finish; no new tasks start there.";
  $("confirm").showModal();
}
$("confirm-no").addEventListener("click", () => {
  $("confirm").close();
  pending = null;
  say("Cancelled.");
});
$("confirm-yes").addEventListener("click", async () => {
  $("confirm").close();
  const p = pending;
  pending = null;
  if (!p) return;
  say("Asking the driver to stop " + p.what + "…");
  try {
    const r = await fetch("/api/stop", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(p.target),
    });
    const body = await r.json();
    say(body.ok ? "Soft shutdown of " + p.what + " requested."
      : "The driver did not accept stopping " + p.what + ".");
  } catch (e) {
    say("The request failed: " + e);
  }
});

async function lookup(id) {
  const out = $("lookup-result");
  $("lookup-id").value = id;
  out.className = "";
  out.replaceChildren(el("p", {}, "Looking up task " + id + "…"));
  let body;
  try {
    const r = await fetch("/api/task?id=" + encodeURIComponent(id));
    if (!r.ok) throw new Error(await r.text());
    body = await r.json();
  } catch (e) {
    out.replaceChildren(el("p", {}, "Lookup failed: " + e.message));
    return;
  }
  if (body.lines.length === 0) {
    const on = state && state.engines.find((e) => e.tasks.includes(body.taskId));
    // An engine starts its tasks in order: the first e.running of them run, the rest wait.
    const how = on && on.tasks.indexOf(body.taskId) < on.running
      ? " is running on engine "
      : " is queued on engine ";
    out.replaceChildren(el("p", { class: "empty" }, on
      ? "Task " + body.taskId + how + on.rank + " (" + on.node + "); it has no status line yet."
      : "No status line for task " + body.taskId + " yet."));
    return;
  }
  out.replaceChildren(...body.lines.map((t) => {
    const item = (k, v) => [el("dt", {}, k), el("dd", {}, v)];
    const stream = (bytes, snippet) => el("div", {}, bytes + " bytes",
      bytes > 0 ? el("pre", {}, snippet) : "");
    return el("div", { class: "record" },
      el("h3", {}, "Task " + t.taskId + ", line " + t.line +
        (t.repeat >= 0 ? ", repeat " + t.repeat : "") + "  [" + t.flags.trim() + "]"),
      el("dl", {},
        ...item("host", t.host), ...item("pid", t.pid), ...item("return code", t.rc),
        ...item("elapsed", (t.finish - t.start).toFixed(3) + " s"),
        ...item("start", clock(t.start)), ...item("finish", clock(t.finish)),
        ...item("stdout", stream(t.outBytes, t.outSnippet)),
        ...item("stderr", stream(t.errBytes, t.errSnippet)),
        ...item("command", el("pre", {}, t.command))),
      el("details", {}, el("summary", {}, "status line"), el("pre", { class: "raw" }, t.raw)));
  }));
}
$("lookup-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const id = $("lookup-id").value.trim();
  if (/^[0-9]+$/.test(id)) lookup(Number(id));
  else say("A task id is a number.");
});

// Charts: the server sends the whole data on connecting, then deltas (which may overlap it).
const chart = { width: 2, keepPoints: 900, keepTasks: 400, points: [], tasks: [], lastSeq: 0 };
const OUTCOME_COLORS = { done: "#2f6fdf", failed: "#d0312d", retried: "#e8a33d",
  lost: "#8e44ad", "per-engine": "#9aa5b1" };
let plot = null;
let chartFrame = 0;
let bars = [];
function mergeCharts(m) {
  chart.width = m.width;
  chart.keepPoints = m.keepPoints;
  chart.keepTasks = m.keepTasks;
  $("chart-span").textContent = "last " + Math.round(m.keepPoints * m.width / 60) + " minutes";
  const pts = chart.points;
  for (const p of m.points) {
    let i = pts.length;
    while (i > 0 && pts[i - 1].t > p.t) i--;
    if (i > 0 && pts[i - 1].t === p.t) pts[i - 1] = p;
    else pts.splice(i, 0, p);
  }
  const newest = pts.length ? pts[pts.length - 1].t : 0;
  const keep = pts.findIndex((p) => p.t > newest - chart.keepPoints * chart.width);
  if (keep > 0) pts.splice(0, keep);
  for (const t of m.tasks) {
    if (t.seq <= chart.lastSeq) continue;
    chart.tasks.push(t);
    chart.lastSeq = t.seq;
  }
  if (chart.tasks.length > chart.keepTasks) chart.tasks.splice(0, chart.tasks.length - chart.keepTasks);
  if (!chartFrame) chartFrame = requestAnimationFrame(drawCharts);
}
function drawCharts() {
  chartFrame = 0;
  drawPlot();
  drawTimeline();
}
function drawPlot() {
  const pts = chart.points;
  const box = $("chart");
  if (!pts.length) return;
  // One more point at the end of the last bucket: stepped lines hold each value to its end.
  const last = pts[pts.length - 1];
  const xs = pts.map((p) => p.t).concat([last.t + chart.width]);
  const held = (f) => pts.map(f).concat([f(last)]);
  const perMin = (k) => k === 0 ? null : Math.max(0, pts[k].completed - pts[k - 1].completed) *
    60 / chart.width;
  const finished = pts.map((p, k) => perMin(k)).concat([perMin(pts.length - 1)]);
  const data = [xs, held((p) => p.running), held((p) => p.slots), finished];
  box.dataset.points = String(pts.length);
  if (plot) {
    plot.setData(data);
    return;
  }
  box.replaceChildren();
  const stepped = uPlot.paths.stepped({ align: 1 });
  const fixed = (d) => (u, v) => v == null ? "-" : v.toFixed(d);
  plot = new uPlot({
    width: Math.max(280, box.clientWidth), height: 214,
    series: [{},
      { label: "running", points: { show: false }, stroke: "#2f6fdf", fill: "rgba(47,111,223,.15)", paths: stepped,
        value: fixed(0) },
      { label: "slots", points: { show: false }, stroke: "#1f2933", dash: [5, 4], paths: stepped, value: fixed(0) },
      { label: "finished / min", points: { show: false }, stroke: "#1f7a3f", scale: "rate", paths: stepped,
        value: fixed(1) }],
    scales: { x: { time: true }, rate: { range: (u, lo, hi) => [0, Math.max(1, hi)] },
      y: { range: (u, lo, hi) => [0, Math.max(1, hi)] } },
    axes: [{}, { label: "tasks", size: 50 },
      { scale: "rate", side: 1, label: "per min", size: 50, grid: { show: false } }],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  }, data, box);
  new ResizeObserver(() => {
    const width = Math.max(280, box.clientWidth);
    if (width !== plot.width) plot.setSize({ width, height: 214 });
  }).observe(box);
}
window.addEventListener("resize", () => drawTimeline());
// One lane per slot of each host: a host's attempts go, by start time, to its first free lane.
function drawTimeline() {
  const canvas = $("timeline").querySelector("canvas");
  const tasks = [...chart.tasks].sort((a, b) => a.start - b.start || a.seq - b.seq);
  const ends = new Map();
  const lane = new Map();
  for (const t of tasks) {
    const e = ends.get(t.host) || [];
    ends.set(t.host, e);
    let l = e.findIndex((f) => f <= t.start);
    if (l < 0) l = e.push(0) - 1;
    e[l] = t.finish;
    lane.set(t.seq, l);
  }
  const hosts = [...ends.keys()].sort();
  const first = new Map();
  let lanes = 0;
  for (const h of hosts) {
    first.set(h, lanes);
    lanes += ends.get(h).length;
  }
  const GUTTER = 120, AXIS = 20;
  const W = canvas.parentElement.clientWidth;
  // A fixed height: the sections below must not move as lanes come and go (under a click).
  const H = 250;
  const laneH = lanes ? Math.min(18, (H - AXIS) / lanes) : 18;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  canvas.dataset.bars = String(tasks.length);
  canvas.dataset.lanes = String(lanes);
  $("timeline-note").textContent = tasks.length
    ? "the last " + tasks.length + " finished attempts, one lane per slot of each host"
    : "";
  bars = [];
  ctx.font = "12px system-ui, sans-serif";
  if (!tasks.length) {
    ctx.fillStyle = "#616e7c";
    ctx.fillText("No task has finished yet.", 8, 20);
    return;
  }
  const t0 = tasks[0].start;
  const t1 = Math.max(t0 + 1, state ? state.now : 0, ...tasks.map((t) => t.finish));
  const kx = (W - GUTTER - 8) / (t1 - t0);
  // Failures last, on top: short tasks one after another in a lane share a pixel at this scale,
  // and a failure must not be hidden under the success that followed it.
  const failedLast = [...tasks.filter((t) => t.outcome !== "failed"),
    ...tasks.filter((t) => t.outcome === "failed")];
  for (const t of failedLast) {
    const y = (first.get(t.host) + lane.get(t.seq)) * laneH;
    // Whole pixels, at least two: a short task must still show, in its own colour.
    const x = Math.round(GUTTER + (t.start - t0) * kx);
    const w = Math.max(2, Math.round((t.finish - t.start) * kx) - (laneH > 6 ? 1 : 0));
    ctx.fillStyle = OUTCOME_COLORS[t.outcome] || "#9aa5b1";
    ctx.fillRect(x, y, w, Math.max(1, laneH - (laneH > 6 ? 2 : 0)));
    bars.push({ x, y, w, h: laneH, t });
  }
  ctx.textBaseline = "middle";
  ctx.strokeStyle = "#d9dee4";
  for (const h of hosts) {
    const y0 = first.get(h) * laneH, n = ends.get(h).length;
    ctx.beginPath();
    ctx.moveTo(0, y0 + 0.5);
    ctx.lineTo(W, y0 + 0.5);
    ctx.stroke();
    if (n * laneH >= 10) {
      ctx.fillStyle = "#1f2933";
      ctx.fillText(h.length > 16 ? h.slice(0, 15) + "…" : h, 4, y0 + n * laneH / 2);
    }
  }
  ctx.fillStyle = "#616e7c";
  ctx.textBaseline = "top";
  const ticks = Math.max(2, Math.floor((W - GUTTER) / 110));
  for (let k = 0; k <= ticks; k++) {
    const t = t0 + (t1 - t0) * k / ticks;
    const x = GUTTER + (t - t0) * kx;
    ctx.fillRect(x, H - AXIS, 1, 4);
    const d = new Date(t * 1000);
    const p = (n) => String(n).padStart(2, "0");
    const label = p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
    ctx.fillText(label, Math.min(x - 24, W - 56), H - AXIS + 6);
  }
}
function barAt(ev) {
  const r = ev.target.getBoundingClientRect();
  const x = ev.clientX - r.left, y = ev.clientY - r.top;
  // The bar drawn last is the one on top.
  return bars.findLast((b) => x >= b.x - 2 && x <= b.x + b.w + 2 && y >= b.y && y < b.y + b.h);
}
$("timeline").addEventListener("mousemove", (ev) => {
  const b = barAt(ev);
  ev.target.title = b ? "task " + b.t.taskId + " (line " + b.t.line + "): " + b.t.outcome +
    " on " + b.t.host + ", ran " + (b.t.finish - b.t.start).toFixed(1) + " s" : "";
});
$("timeline").addEventListener("click", (ev) => {
  const b = barAt(ev);
  if (b) lookup(b.t.taskId);
});

const events = new EventSource("/api/events");
events.addEventListener("series", (ev) => mergeCharts(JSON.parse(ev.data)));
events.onmessage = (ev) => {
  state = JSON.parse(ev.data);
  lost = false;
  render();
};
events.addEventListener("end", (ev) => {
  end = JSON.parse(ev.data);
  events.close();
  say(end.exitCode === null ? "The driver has gone." : "The run has ended.");
  render();
});
events.onerror = () => {
  if (end !== null) return;
  lost = true;
  render();
};
</script>
</body>
</html>
`;
