/**
 * The report page's own script (plain browser JavaScript, run after uPlot and `decodeBars` are
 * defined): tables, uPlot charts, and the timeline, a canvas drawn pixel by pixel so a million
 * bars draw in milliseconds. Run data reaches the page only as text (`textContent`).
 * @module
 */

/** The script; it reads `#report-data` and `#report-bars` and sets `body[data-ready]`. */
export const REPORT_PAGE_SCRIPT = String.raw`
(async function () {
"use strict";
// Milliseconds since navigation start at each step (the benchmark reads them).
const marks = { start: performance.now() };
const D = JSON.parse(document.getElementById("report-data").textContent);
const S = D.summary;
const COLORS = ["#2f6fdf", "#d0312d", "#e8a33d", "#8e44ad", "#9aa5b1"];
const OUTCOME_NAMES = ["done", "failed", "retried attempt", "lost attempt", "per-engine"];
const PRIO = [1, 5, 3, 4, 2];
const $ = (id) => document.getElementById(id);
const nf = new Intl.NumberFormat("en-US");
const num = (v) => v == null ? "–" : nf.format(v);
const pad = (n, w) => String(n).padStart(w || 2, "0");
function dur(s) {
  if (s == null || !isFinite(s)) return "–";
  if (s < 1) return (s * 1000).toFixed(0) + " ms";
  if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + " s";
  const t = Math.round(s), d = Math.floor(t / 86400), h = Math.floor(t / 3600) % 24;
  const m = Math.floor(t / 60) % 60;
  return (d ? d + "d " : "") + (d || h ? h + ":" + pad(m) : m) + ":" + pad(t % 60);
}
function clock(t, ms) {
  const d = new Date(t * 1000);
  return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
    (ms ? "." + pad(d.getMilliseconds(), 3) : "");
}
function date(t) {
  if (t == null) return "–";
  const d = new Date(t * 1000);
  return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + clock(t);
}
const pct = (v) => v == null || !isFinite(v) ? "–" : (v * 100).toFixed(1) + "%";

function hours(s) {
  if (s == null) return "–";
  const h = s / 3600;
  return h >= 100 ? nf.format(Math.round(h)) : h >= 1 ? h.toFixed(1) : h ? h.toPrecision(2) : "0";
}

// Summary.
const cards = [
  ["tasks", num(S.tasks)],
  ["failed", num(S.failed)],
  ["skipped", num(S.skipped)],
  ["retried attempts", num(S.retriedAttempts)],
  ["lost attempts", num(S.lostAttempts)],
  ["barriers", num(S.barriers)],
  ["hosts", num(S.hosts)],
  ["wall time", dur(S.wallSeconds)],
  ["slot-hours used", hours(S.slotSecondsUsed)],
  ["slot-hours available", hours(S.slotSecondsAvailable)],
  ["utilization", pct(S.utilization)],
  ["throughput", S.throughput == null ? "–" : S.throughput >= 1 ?
    S.throughput.toFixed(1) + "/s" : (S.throughput * 3600).toFixed(1) + "/h"],
];
for (const [label, value] of cards) {
  const div = document.createElement("div");
  div.dataset.k = label;
  const b = document.createElement("b");
  b.textContent = value;
  const span = document.createElement("span");
  span.textContent = label;
  div.append(b, span);
  $("numbers").append(div);
}
$("period").textContent = date(S.firstStart) + " – " + date(S.lastFinish) +
  (S.perEngineRuns ? "; " + num(S.perEngineRuns) + " per-engine task runs" : "") +
  (D.ignoredLines ? "; " + num(D.ignoredLines) + " unreadable lines ignored" : "");
$("sources").textContent = D.sources.join(" ");
$("slotnote").textContent = S.slotSource === "driver log"
  ? "Slots available: each host's engines' slots from the driver log, over the run's wall time."
  : "Slots available are " + (S.slotSource === "estimated" ? "" : "partly ") +
    "estimated as the most tasks each host ran at once (no driver log with engine slots), " +
    "over the run's wall time.";

function row(tbody, cells, cls) {
  const tr = document.createElement("tr");
  cells.forEach((c, k) => {
    const td = document.createElement("td");
    if (c && typeof c === "object") {
      const code = document.createElement("code");
      code.textContent = c.code;
      td.append(code);
    } else td.textContent = c;
    if (cls && cls[k]) td.className = cls[k];
    tr.append(td);
  });
  tbody.append(tr);
  return tr;
}
const N = "num";
for (const h of D.hosts) {
  row($("hosts").tBodies[0], [h.host, num(h.slots) + (h.slotsEstimated ? "*" : ""), num(h.tasks),
    num(h.failed), num(h.retried), num(h.lost), dur(h.median), dur(h.p95), pct(h.utilization)],
    ["", N, N, N, N, N, N, N, N]).dataset.host = h.host;
}
function snippet(bytes, text) {
  return bytes ? { code: text } : "";
}
// A captured failure: the end of its output in a row below it, folded.
function capturedRow(tbody, c) {
  const tr = document.createElement("tr");
  tr.className = "captured";
  const td = document.createElement("td");
  td.colSpan = 8;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  const cut = (seen, kept, shown) => shown < seen ? " (the last " + num(shown) + " of " +
    num(kept) + " bytes kept" + (kept < seen ? " of " + num(seen) + " written" : "") + ")" : "";
  summary.textContent = "captured output: stderr " + num(c.errSeen) + " bytes, stdout " +
    num(c.outSeen) + " bytes";
  details.append(summary);
  for (const [name, text, seen, kept, shown] of [
    ["stderr", c.err, c.errSeen, c.errKept, c.errShown],
    ["stdout", c.out, c.outSeen, c.outKept, c.outShown]]) {
    if (!seen) continue;
    const h = document.createElement("div");
    h.className = "capname";
    h.textContent = name + cut(seen, kept, shown);
    const pre = document.createElement("pre");
    pre.textContent = text;
    details.append(h, pre);
  }
  td.append(details);
  tr.append(td);
  tbody.append(tr);
}
for (const f of D.failures) {
  row($("failures").tBodies[0], [f.taskId, f.line, f.rc, f.host, dur(f.finish - f.start),
    snippet(f.outBytes, f.outSnippet), snippet(f.errBytes, f.errSnippet), { code: f.command }],
    [N, N, N, "", N]).dataset.task = f.taskId;
  if (f.captured) capturedRow($("failures").tBodies[0], f.captured);
}
$("failcount").textContent = D.failuresTotal > D.failures.length
  ? "(the first " + num(D.failures.length) + " of " + num(D.failuresTotal) + ")"
  : "(" + num(D.failuresTotal) + ")";
if (!D.failures.length) $("failures").replaceWith(Object.assign(document.createElement("p"),
  { className: "empty", textContent: "No task failed." }));
for (const f of D.slowest) {
  row($("slowest").tBodies[0], [f.taskId, f.line, dur(f.finish - f.start), f.rc, f.host,
    date(f.start), { code: f.command }], [N, N, N, N]);
}

// Bars: base64 of decodeBars' input.
marks.tables = performance.now();
const raw = atob(document.getElementById("report-bars").textContent.trim());
const bytes = new Uint8Array(raw.length);
for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
marks.base64 = performance.now();
const B = decodeBars(bytes);
marks.decode = performance.now();
const t0 = D.t0;
const lanes = B.laneStart.length - 1;

// Charts (uPlot), x in epoch seconds.
// One more point at the end of the last bucket: stepped lines hold each value to its end.
const xs = D.series.running.map((_, k) => D.series.t0 + k * D.series.width);
xs.push(D.series.t0 + xs.length * D.series.width);
const held = (a) => a.concat(a.length ? [a[a.length - 1]] : []);
const perMin = 60 / D.series.width;
const charts = [];
let syncing = false;
let timeline = null;
function chartWidth(el) { return Math.max(300, el.clientWidth); }
function syncHook(u, key) {
  if (key !== "x" || syncing) return;
  syncing = true;
  const { min, max } = u.scales.x;
  for (const c of charts) if (c !== u) c.setScale("x", { min, max });
  if (timeline) timeline.setRange(min - t0, max - t0);
  syncing = false;
}
function timeChart(el, series, data, ylabel) {
  const u = new uPlot({
    width: chartWidth(el), height: 200, series: [{}, ...series], data: data,
    scales: { x: { time: true } },
    axes: [{}, { label: ylabel, size: 60 }],
    cursor: { drag: { x: true, y: false } },
    hooks: { setScale: [syncHook] },
    legend: { live: true },
  }, data, el);
  charts.push(u);
  return u;
}
const stepped = uPlot.paths.stepped({ align: 1 });
timeChart($("running"), [
  { label: "running", stroke: COLORS[0], fill: "rgba(47,111,223,.15)", paths: stepped,
    value: (u, v) => v == null ? "–" : v.toFixed(1) },
  { label: "slots", stroke: "#1f2933", dash: [5, 4], paths: stepped,
    value: (u, v) => v == null ? "–" : v.toFixed(0) },
], [xs, held(D.series.running), held(D.series.slots)], "tasks");
// Completions in about 150 groups of buckets: per-bucket counts of a short run are spikes.
const group = Math.max(1, Math.ceil(D.series.completions.length / 150));
const gx = [], gDone = [], gFailed = [];
for (let k = 0; k < D.series.completions.length; k += group) {
  let done = 0, failed = 0;
  for (let j = k; j < k + group && j < D.series.completions.length; j++) {
    done += D.series.completions[j];
    failed += D.series.failures[j];
  }
  gx.push(D.series.t0 + k * D.series.width);
  gDone.push(done * perMin / group);
  gFailed.push(failed * perMin / group);
}
gx.push(D.series.t0 + D.series.completions.length * D.series.width);
timeChart($("completions"), [
  { label: "completed / min", stroke: "#1f7a3f", fill: "rgba(31,122,63,.12)", paths: stepped,
    value: (u, v) => v == null ? "–" : v.toFixed(1) },
  { label: "failed / min", stroke: COLORS[1], paths: stepped,
    value: (u, v) => v == null ? "–" : v.toFixed(1) },
], [gx, held(gDone), held(gFailed)], "per minute");
const H = D.histogram;
if (H.counts.length) {
  const el = $("histogram");
  const hx = H.counts.map((_, k) => k + 0.5);
  new uPlot({
    width: chartWidth(el), height: 200,
    series: [{ value: (u, v) => v == null ? "–" : dur(H.edges[Math.floor(v)]) + " – " +
      dur(H.edges[Math.floor(v) + 1]) },
      { label: "tasks", fill: "rgba(47,111,223,.5)", stroke: COLORS[0],
        paths: uPlot.paths.bars({ size: [1, Infinity], gap: 1 }) }],
    scales: { x: { time: false, range: [0, H.counts.length] } },
    axes: [{ splits: () => H.edges.map((_, k) => k).filter((k) => k % 5 === 0 ||
      H.edges.length < 12), values: (u, v) => v.map((k) => dur(H.edges[k])) },
      { label: "tasks", size: 60 }],
    cursor: { drag: { x: false, y: false } },
  }, [hx, H.counts], el);
} else $("histogram").textContent = "No task ran.";

marks.charts = performance.now();

// Timeline.
const GUTTER = 150, AXIS = 22;
timeline = (function () {
  const box = $("timeline");
  const canvas = box.querySelector("canvas");
  const tip = $("tip");
  const ctx = canvas.getContext("2d");
  const span = Math.max(S.lastFinish - t0, 0.001) || 1;
  const st = { x0: 0, x1: span, top: 0, laneH: 1 };
  let W = 0, Hh = 0, dpr = 1, plotW = 0, plotH = 0, frame = 0;
  const hostLanes = [];
  D.laneHost.forEach((h, l) => {
    const r = hostLanes[h] || (hostLanes[h] = { first: l, count: 0 });
    r.count++;
  });
  function size() {
    dpr = window.devicePixelRatio || 1;
    W = box.clientWidth;
    Hh = Math.min(640, Math.max(160, lanes * 16 + AXIS));
    canvas.style.width = W + "px";
    canvas.style.height = Hh + "px";
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(Hh * dpr);
    plotW = Math.max(1, Math.round((W - GUTTER) * dpr));
    plotH = Math.max(1, Math.round((Hh - AXIS) * dpr));
  }
  function reset() {
    st.x0 = 0;
    st.x1 = span;
    st.top = 0;
    st.laneH = lanes ? plotH / lanes : plotH;
  }
  // The first bar of lane l that ends at or after t (bars of a lane never overlap).
  function firstEndingAfter(l, t) {
    let lo = B.laneStart[l], hi = B.laneStart[l + 1];
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (B.finish[m] < t) lo = m + 1; else hi = m;
    }
    return lo;
  }
  let drawnBars = 0;
  function draw() {
    frame = 0;
    const img = ctx.createImageData(plotW, plotH);
    const px = new Uint32Array(img.data.buffer);
    const prio = new Uint8Array(plotW * plotH);
    px.fill(0xffffffff);
    const rgba = COLORS.map((c) => {
      const v = parseInt(c.slice(1), 16);
      return (255 << 24 | (v & 255) << 16 | (v >> 8 & 255) << 8 | v >> 16) >>> 0;
    });
    const k = plotW / (st.x1 - st.x0);
    const l0 = Math.max(0, Math.floor(st.top));
    const l1 = Math.min(lanes, Math.ceil(st.top + plotH / st.laneH));
    const gapY = st.laneH >= 4 ? 1 : 0;
    drawnBars = 0;
    for (let l = l0; l < l1; l++) {
      let y0 = Math.floor((l - st.top) * st.laneH);
      let y1 = Math.floor((l + 1 - st.top) * st.laneH) - gapY;
      if (y1 <= y0) y1 = y0 + 1;
      if (y0 < 0) y0 = 0;
      if (y1 > plotH) y1 = plotH;
      const end = B.laneStart[l + 1];
      for (let i = firstEndingAfter(l, st.x0); i < end; i++) {
        const s = B.start[i];
        if (s > st.x1) break;
        drawnBars++;
        let a = Math.floor((s - st.x0) * k), z = Math.floor((B.finish[i] - st.x0) * k);
        if (z - a >= 4) z--;
        if (z <= a) z = a + 1;
        if (a < 0) a = 0;
        if (z > plotW) z = plotW;
        const o = B.outcome[i], p = PRIO[o], c = rgba[o];
        for (let y = y0; y < y1; y++) {
          const row = y * plotW;
          for (let x = a; x < z; x++) {
            if (prio[row + x] <= p) { prio[row + x] = p; px[row + x] = c; }
          }
        }
      }
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.putImageData(img, Math.round(GUTTER * dpr), 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const ph = plotH / dpr, kx = (W - GUTTER) / (st.x1 - st.x0), lh = st.laneH / dpr;
    // Barriers.
    ctx.strokeStyle = "#1f2933";
    ctx.setLineDash([4, 3]);
    for (const b of D.barrierMarks) {
      const x = GUTTER + (b.time - t0 - st.x0) * kx;
      if (x < GUTTER || x > W) continue;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, 0);
      ctx.lineTo(x + 0.5, ph);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // Hosts.
    ctx.font = "12px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#1f2933";
    ctx.strokeStyle = "#9aa5b1";
    hostLanes.forEach((r, h) => {
      if (!r) return;
      const y0 = (r.first - st.top) * lh, y1 = (r.first + r.count - st.top) * lh;
      if (y1 < 0 || y0 > ph) return;
      ctx.beginPath();
      ctx.moveTo(0, Math.max(0, y0) + 0.5);
      ctx.lineTo(W, Math.max(0, y0) + 0.5);
      ctx.stroke();
      const yc = (Math.max(y0, 0) + Math.min(y1, ph)) / 2;
      if (Math.min(y1, ph) - Math.max(y0, 0) >= 10) {
        const name = D.hosts[h].host;
        ctx.fillText(name.length > 20 ? name.slice(0, 19) + "…" : name, 6, yc);
      }
    });
    // Time axis.
    ctx.fillStyle = "#616e7c";
    ctx.textBaseline = "top";
    const stepRaw = (st.x1 - st.x0) / Math.max(2, (W - GUTTER) / 110);
    const steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60,
      120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
    const step = steps.find((s) => s >= stepRaw) || steps[steps.length - 1];
    const first = Math.ceil((st.x0 + t0) / step) * step;
    for (let t = first; t <= st.x1 + t0; t += step) {
      const x = GUTTER + (t - t0 - st.x0) * kx;
      ctx.fillRect(x, ph, 1, 4);
      ctx.fillText(clock(t, step < 1), x - 24, ph + 6);
    }
  }
  function redraw() {
    if (!frame) frame = requestAnimationFrame(draw);
  }
  function syncCharts() {
    if (syncing) return;
    syncing = true;
    for (const c of charts) c.setScale("x", { min: t0 + st.x0, max: t0 + st.x1 });
    syncing = false;
  }
  size();
  reset();
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const f = Math.exp(Math.sign(e.deltaY) * 0.2);
    const r = canvas.getBoundingClientRect();
    if (e.shiftKey) {
      const yl = st.top + (e.clientY - r.top) * dpr / st.laneH;
      st.laneH = Math.min(60 * dpr, Math.max(plotH / Math.max(lanes, 1), st.laneH / f));
      st.top = Math.max(0, Math.min(lanes - plotH / st.laneH, yl - (e.clientY - r.top) * dpr /
        st.laneH));
    } else {
      const t = st.x0 + (e.clientX - r.left - GUTTER) / (W - GUTTER) * (st.x1 - st.x0);
      const w = Math.max(0.002, Math.min(span * 1.2, (st.x1 - st.x0) * f));
      const at = (t - st.x0) / (st.x1 - st.x0);
      st.x0 = t - at * w;
      st.x1 = st.x0 + w;
      syncCharts();
    }
    redraw();
  }, { passive: false });
  let drag = null;
  canvas.addEventListener("mousedown", (e) => {
    drag = { x: e.clientX, y: e.clientY, x0: st.x0, x1: st.x1, top: st.top };
  });
  window.addEventListener("mouseup", () => drag = null);
  canvas.addEventListener("dblclick", () => { reset(); syncCharts(); redraw(); });
  canvas.addEventListener("mouseleave", () => tip.hidden = true);
  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect();
    if (drag) {
      const dt = (e.clientX - drag.x) / (W - GUTTER) * (drag.x1 - drag.x0);
      st.x0 = drag.x0 - dt;
      st.x1 = drag.x1 - dt;
      st.top = Math.max(0, Math.min(Math.max(0, lanes - plotH / st.laneH),
        drag.top - (e.clientY - drag.y) * dpr / st.laneH));
      syncCharts();
      redraw();
      return;
    }
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const text = hoverText(x, y);
    tip.hidden = !text;
    if (text) {
      tip.textContent = text;
      tip.style.left = Math.min(x + 14, W - 260) + "px";
      tip.style.top = (y + 14) + "px";
    }
  });
  function hoverText(x, y) {
    if (x < GUTTER || y > plotH / dpr) return "";
    const kx = (W - GUTTER) / (st.x1 - st.x0);
    const t = st.x0 + (x - GUTTER) / kx;
    for (const b of D.barrierMarks) {
      if (Math.abs((b.time - t0 - t) * kx) <= 3) {
        return (b.kind === "C" ? "barrier check" : "barrier") + " (task " + b.taskId + ") at " +
          clock(b.time, true) + "\n" + b.command;
      }
    }
    const l = Math.floor(st.top + y * dpr / st.laneH);
    if (l < 0 || l >= lanes) return "";
    const slack = 3 / kx;
    let i = firstEndingAfter(l, t - slack);
    if (i >= B.laneStart[l + 1] || B.start[i] > t + slack) return "";
    const o = B.outcome[i];
    return "task " + B.taskId[i] + " (line " + B.line[i] + "): " + OUTCOME_NAMES[o] + "\n" +
      D.hosts[D.laneHost[l]].host + "\n" + "started " + clock(t0 + B.start[i], true) + ", ran " +
      dur(B.finish[i] - B.start[i]);
  }
  window.addEventListener("resize", () => { size(); redraw(); });
  return {
    draw: draw,
    setRange(a, b) {
      st.x0 = a;
      st.x1 = Math.max(b, a + 0.001);
      redraw();
    },
    get drawnBars() { return drawnBars; },
  };
})();
$("barnote").textContent = D.barsTotal > B.start.length
  ? "Showing " + num(B.start.length) + " of " + num(D.barsTotal) +
    " attempts: successful tasks are thinned evenly; every other outcome is drawn."
  : num(B.start.length) + " attempts in " + num(lanes) + " lanes.";
timeline.draw();
marks.drawn = performance.now();
window.reportTimings = Object.assign(marks, { bars: B.start.length,
  drawnBars: timeline.drawnBars, lanes: lanes });
document.body.dataset.ready = "1";
})().catch((e) => {
  console.error(e);
  document.body.dataset.ready = "error";
});
`;
