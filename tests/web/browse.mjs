// Drives the -w dashboard of a live run in headless Chromium (Debian's, through
// playwright-core) as a person would, and prints what it saw as one JSON object.
// Run by tests/web_dashboard_test.ts with node:
//   PLAYWRIGHT_CORE=<dir of playwright-core> node browse.mjs URL OUT_DIR GO_FILE
// URL is the dashboard URL with its token; screenshots go to OUT_DIR; creating GO_FILE lets
// the run's blocked tasks finish.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { launchChromium } from "./chromium.mjs";

const [url, outDir, goFile] = process.argv.slice(2);
const base = new URL(url).origin;
const seen = { requests: [], consoleErrors: [] };
const browser = await launchChromium({ width: 1280, height: 860 });
const context = browser.context;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on("request", (r) => seen.requests.push(r.url()));
  const text = (sel) => page.locator(sel).first().innerText();

  page.on("console", (m) => m.type() === "error" && seen.consoleErrors.push(m.text()));
  page.on("pageerror", (e) => seen.consoleErrors.push(String(e)));

  // Without the token there is nothing to see.
  seen.unauthorized = (await context.request.get(base + "/")).status();

  // With it: redirected to the bare address, the token now in a cookie.
  const first = await page.goto(url);
  seen.status = first.status();
  seen.address = page.url();
  await page.waitForFunction(() => document.getElementById("failed").textContent === "1");
  await page.waitForFunction(() =>
    document.querySelectorAll("#engines tr[data-engine] a.task").length >= 3
  );
  // The charts: uPlot's chart of running tasks and the timeline of finished attempts.
  await page.waitForFunction(() =>
    document.querySelector("#chart .uplot canvas") &&
    Number(document.getElementById("chart").dataset.points) >= 2 &&
    Number(document.querySelector("#timeline canvas").dataset.bars) >= 2
  );
  seen.charts = await page.evaluate(() => {
    // Pixels by colour, so a chart that drew nothing shows as such.
    const colours = (canvas) => {
      const d = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      const out = {};
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        const c = "#" + [d[i], d[i + 1], d[i + 2]].map((v) => v.toString(16).padStart(2, "0"))
          .join("");
        out[c] = (out[c] || 0) + 1;
      }
      return out;
    };
    const tl = document.querySelector("#timeline canvas");
    return {
      points: Number(document.getElementById("chart").dataset.points),
      span: document.getElementById("chart-span").textContent,
      legend: [...document.querySelectorAll("#chart .u-series .u-label")].map((e) => e.textContent),
      plotColours: colours(document.querySelector("#chart .uplot canvas")),
      bars: Number(tl.dataset.bars),
      lanes: Number(tl.dataset.lanes),
      timelineColours: colours(tl),
      note: document.getElementById("timeline-note").textContent,
    };
  });
  seen.runStatus = await text("#status");
  seen.done = await text("#done");
  seen.engineRow = await text("#engines tr[data-engine='0']");
  seen.contextRow = await text("#contexts tr[data-context='0']");
  seen.failureRow = await text("#failures tr");

  // Per-task lookup, from the failure's task link.
  await page.locator("#failures a.task").first().click();
  await page.locator("#lookup-result .record").first().waitFor();
  seen.lookup = await text("#lookup-result");
  // And of a running task from the engine's list.
  await page.locator("#engines tr[data-engine='0'] a.task").first().click();
  await page.waitForFunction(() =>
    /is running on engine 0/.test(document.getElementById("lookup-result").textContent)
  );
  seen.runningLookup = await text("#lookup-result");
  await page.locator("#failures a.task").first().click();
  await page.locator("#lookup-result .record").first().waitFor();
  await page.screenshot({ path: join(outDir, "dashboard.png"), fullPage: true });

  // Soft shutdown of engine 0: a confirmation first; Cancel does nothing. The button is held
  // down until a state update arrives (one a second): the press must survive it (the row is not
  // rebuilt under the pointer), and the release, within the page's 2 s hold, opens the
  // confirmation. Until the press, every update rebuilds the row: the button is measured again
  // if it was replaced meanwhile, and marked only once it is pressed.
  const stop = page.locator("#engines tr[data-engine='0'] button.stop");
  await page.evaluate(() => {
    globalThis.pressedSince = null;
    globalThis.heldThrough = [];
    // After the page's own handler (registered first), which renders or holds the update.
    events.addEventListener("message", () => {
      if (globalThis.pressedSince === null) return;
      const b = document.querySelector("#engines tr[data-engine='0'] button.stop");
      globalThis.heldThrough.push({
        ms: Date.now() - globalThis.pressedSince,
        kept: b?.dataset.pressed === "yes",
      });
    });
  });
  let box = null;
  for (let i = 0; box === null && i < 100; i++) {
    box = await stop.boundingBox();
    if (box === null) await new Promise((r) => setTimeout(r, 50));
  }
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  seen.pressedActive = await stop.evaluate((b) => {
    b.dataset.pressed = "yes";
    globalThis.pressedSince = Date.now();
    return b.matches(":active");
  });
  // Released before the hold ends in any case: after it, an update rebuilds the row on purpose.
  await page.waitForFunction(() => globalThis.heldThrough.length >= 1, null, { timeout: 1800 })
    .catch(() => {});
  seen.heldThrough = await page.evaluate(() => globalThis.heldThrough);
  seen.pressedButtonKept = seen.heldThrough.length >= 1 && seen.heldThrough.every((e) => e.kept);
  await page.mouse.up();
  seen.confirm = await text("#confirm-text");
  await page.locator("#confirm-no").click();
  seen.afterCancel = await text("#message");
  await page.locator("#engines tr[data-engine='0'] button.stop").click();
  await page.locator("#confirm-yes").click();
  await page.waitForFunction(() =>
    /requested/.test(document.getElementById("message").textContent)
  );
  seen.afterStop = await text("#message");
  await page.waitForFunction(() =>
    /draining|stopped/.test(document.querySelector("#engines tr[data-engine='0']").textContent)
  );
  seen.engineAfterStop = await text("#engines tr[data-engine='0']");

  // Let the blocked tasks finish: the page follows the run to its end.
  writeFileSync(goFile, "");
  await page.waitForFunction(
    () => /^ended/.test(document.getElementById("status").textContent),
    null,
    { timeout: 30_000 },
  );
  seen.finalStatus = await text("#status");
  // The last attempts come just before the end; the page draws them at its next frame.
  const bars = () => Number(document.querySelector("#timeline canvas").dataset.bars);
  await page.waitForFunction(`(${bars})() >= 5`, null, { timeout: 5_000 }).catch(() => {});
  seen.finalBars = await page.evaluate(bars);
  seen.finalMessage = await text("#message");
  seen.stopButtonsAtEnd = await page.locator("button.stop").count();
} catch (e) {
  seen.error = String(e.stack ?? e);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(seen) + "\n");
