// Opens a `disbatch --report` HTML file in headless Chromium (Debian's, through
// playwright-core), waits until it has drawn, and prints what it shows as one JSON object:
// summary numbers, host and failure rows, console errors, every request, timings.
// Run by tests/report_test.ts and scripts/bench.ts with node:
//   PLAYWRIGHT_CORE=<dir of playwright-core> node report.mjs REPORT.html [SCREENSHOT.png]
import { resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { launchChromium } from "./chromium.mjs";

const [file, screenshot] = process.argv.slice(2);
const url = pathToFileURL(resolve(file)).href;
const seen = { url, requests: [], consoleErrors: [] };
const browser = await launchChromium({ width: 1280, height: 900 });
const context = browser.context;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("console", (m) => m.type() === "error" && seen.consoleErrors.push(m.text()));
  page.on("pageerror", (e) => seen.consoleErrors.push(String(e)));
  const t0 = Date.now();
  await page.goto(url, { waitUntil: "load", timeout: 60_000 });
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 60_000 });
  seen.loadMs = Date.now() - t0;
  seen.ready = await page.evaluate(() => document.body.dataset.ready);
  seen.timings = await page.evaluate(() => globalThis.reportTimings ?? null);
  seen.summary = await page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll("#numbers [data-k]")].map((d) => [
        d.dataset.k,
        d.querySelector("b").textContent,
      ]),
    )
  );
  const rows = (sel) =>
    page.evaluate(
      (s) =>
        [...document.querySelectorAll(s)].map((tr) =>
          [...tr.cells].map((c) => c.textContent).join("\t")
        ),
      sel,
    );
  seen.hosts = await rows("#hosts tbody tr");
  seen.failures = await rows("#failures tbody tr");
  seen.slowest = await rows("#slowest tbody tr");
  seen.failCount = await page.locator("#failcount").textContent();
  seen.barNote = await page.locator("#barnote").textContent();
  seen.slotNote = await page.locator("#slotnote").textContent();
  seen.charts = await page.locator(".uplot").count();
  // Hover over the middle of the first lane: the tooltip names a task or nothing.
  const box = await page.locator("#timeline canvas").boundingBox();
  if (box) {
    await page.mouse.move(box.x + 150 + (box.width - 150) / 2, box.y + 5);
    seen.tip = await page.evaluate(() => {
      const t = document.getElementById("tip");
      return t.hidden ? "" : t.textContent;
    });
    await page.mouse.move(0, 0);
  }
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
} catch (e) {
  seen.error = String(e?.stack ?? e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
