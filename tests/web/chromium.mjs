// Debian's Chromium through playwright-core, as every browser test here starts it: headless,
// a fresh profile, and none of the background networking that this machine's closed network
// refuses. The caller watches the page for console errors and requests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

/** Launches Chromium with a `viewport`; returns its context and a close() that cleans up. */
export async function launchChromium(viewport) {
  const { chromium } = await import(
    pathToFileURL(join(process.env.PLAYWRIGHT_CORE, "index.mjs")).href
  );
  const profile = mkdtempSync(join(tmpdir(), "disbatch-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
