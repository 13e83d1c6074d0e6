/**
 * Renders {@link ReportData} as one self-contained HTML file: uPlot, the page script and the
 * data are inline, so the file opens anywhere (after `scp` to a laptop, say) and loads nothing
 * from the network. The timeline's bars travel base64-encoded (compact already: gzip would save
 * a quarter of the size but cost the page more time than it saves).
 * @module
 */
import { decodeBars, encodeBars } from "./bar_codec.ts";
import type { ReportData } from "./report_data.ts";
import { REPORT_PAGE_SCRIPT } from "./report_page_script.ts";
import { UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE, UPLOT_VERSION } from "./vendor/uplot_assets.ts";

const STYLE = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9dee4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  background: #f4f5f7; }
header { padding: 12px 20px; background: var(--ink); color: #fff; }
header h1 { font-size: 18px; margin: 0 0 2px; }
header div { color: #c7ced6; font-size: 12px; word-break: break-all; }
main { padding: 16px 20px; display: grid; gap: 16px; max-width: 1600px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
  min-width: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
h2 small { color: var(--muted); font-weight: normal; }
.numbers { display: flex; flex-wrap: wrap; gap: 8px 28px; }
.numbers div { min-width: 80px; }
.numbers b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
.numbers span { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.note { color: var(--muted); font-size: 12px; margin: 8px 0 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 1000px) { .pair { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
code { font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap;
  word-break: break-all; }
.empty { color: var(--muted); }
tr.captured pre { font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; margin: 2px 0 6px;
  max-height: 20em; overflow: auto; white-space: pre-wrap; word-break: break-all; }
tr.captured summary, .capname { color: var(--muted); font-size: 12px; cursor: pointer; }
#timeline { position: relative; }
#timeline canvas { display: block; cursor: grab; }
#tip { position: absolute; pointer-events: none; background: #1f2933; color: #fff; padding: 4px 8px;
  border-radius: 4px; font-size: 12px; white-space: pre; z-index: 2; max-width: 420px;
  overflow: hidden; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-bottom: 6px;
  flex-wrap: wrap; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
.legend .barrier { width: 0; border-left: 2px dashed var(--ink); }
`;

const BODY = `
<header><h1>disbatch run report</h1><div id="sources"></div></header>
<main>
<section><h2>Summary <small id="period"></small></h2><div class="numbers" id="numbers"></div>
<p class="note" id="slotnote"></p></section>
<section><h2>Timeline <small>one lane per slot of each host (tasks packed by start time)</small></h2>
<div class="legend"><span><i style="background:#2f6fdf"></i>done</span>
<span><i style="background:#d0312d"></i>failed</span>
<span><i style="background:#e8a33d"></i>retried attempt</span>
<span><i style="background:#8e44ad"></i>lost attempt</span>
<span><i style="background:#9aa5b1"></i>per-engine task</span>
<span><i class="barrier"></i>barrier</span>
<span>wheel: zoom time · shift+wheel: zoom lanes · drag: pan · double-click: reset</span></div>
<div id="timeline"><canvas></canvas><div id="tip" hidden></div></div>
<p class="note" id="barnote"></p></section>
<div class="pair">
<section><h2>Running tasks and slots</h2><div id="running"></div></section>
<section><h2>Completions</h2><div id="completions"></div></section>
</div>
<div class="pair">
<section><h2>Task durations <small>log scale</small></h2><div id="histogram"></div></section>
<section><h2>Hosts</h2><table id="hosts"><thead><tr><th>host</th><th>slots</th><th>tasks</th>
<th>failed</th><th>retried</th><th>lost</th><th>median</th><th>95th pct.</th><th>utilization</th>
</tr></thead><tbody></tbody></table>
<p class="note">* estimated: the most tasks the host ran at once.</p></section>
</div>
<section><h2>Failures <small id="failcount"></small></h2><table id="failures"><thead><tr>
<th>task</th><th>line</th><th>rc</th><th>host</th><th>elapsed</th><th>stdout</th><th>stderr</th>
<th>command</th></tr></thead><tbody></tbody></table></section>
<section><h2>Slowest tasks</h2><table id="slowest"><thead><tr><th>task</th><th>line</th>
<th>elapsed</th><th>rc</th><th>host</th><th>started</th><th>command</th></tr></thead><tbody>
</tbody></table></section>
</main>
`;

/** JSON that cannot end its `<script>` element (and survives NaN as null). */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(
    /\u2028|\u2029/g,
    (c) => c === "\u2028" ? "\\u2028" : "\\u2029",
  );
}

function base64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let k = 0; k < bytes.length; k += 0x8000) {
    parts.push(String.fromCharCode(...bytes.subarray(k, k + 0x8000)));
  }
  return btoa(parts.join(""));
}

/** The report page for `data`. */
export function renderReportHtml(data: ReportData): string {
  const { bars, t0, ...rest } = data;
  const packed = base64(encodeBars(bars, t0));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>disbatch report: ${escapeText(data.sources.join(" "))}</title>
<style>${UPLOT_CSS}${STYLE}</style>
</head>
<body>${BODY}
<script type="application/json" id="report-data">${inlineJson({ ...rest, t0 })}</script>
<script type="text/plain" id="report-bars">${packed}</script>
<script type="text/plain" id="uplot-license">uPlot ${UPLOT_VERSION}
${escapeText(UPLOT_LICENSE)}</script>
<script>${UPLOT_JS}</script>
<script>
const decodeBars = ${decodeBars.toString()};
${REPORT_PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
