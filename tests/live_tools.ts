/**
 * The outside tools the "watch a run live" tests drive (tmux, Debian's Chromium with
 * playwright-core, an MTA, ImageMagick), installed by `scripts/test-deps.sh`. A test whose
 * tools are missing is ignored, unless `LAB_REQUIRED_FOR_TESTS=1` (CI): then it fails.
 * @module
 */
import assert from "node:assert/strict";
import { ROOT } from "./helpers.ts";

/** CI sets this: a missing tool is then a failure, not a skip. */
const REQUIRED = Deno.env.get("LAB_REQUIRED_FOR_TESTS") === "1";

/** Where `scripts/test-deps.sh` installs playwright-core. */
export const PLAYWRIGHT_CORE = `${ROOT}/.tools/node_modules/playwright-core`;

/** How each tool is found. */
const TOOLS = {
  tmux: () => onPath("tmux"),
  node: () => onPath("node"),
  chromium: () => isFile("/usr/bin/chromium"),
  "playwright-core": () => isFile(`${PLAYWRIGHT_CORE}/index.mjs`),
  exim4: () => isFile("/usr/sbin/exim4"),
  convert: () => onPath("convert") && isFile("/usr/bin/convert"),
} as const;

/** A tool name. */
export type Tool = keyof typeof TOOLS;

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function onPath(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((d) => d !== "" && isFile(`${d}/${name}`));
}

/** The tools of `tools` that are not installed. */
export function missing(...tools: Tool[]): Tool[] {
  return tools.filter((t) => !TOOLS[t]());
}

/** Deno.test `ignore` value: skip when a tool is missing and tools are not required. */
export function ignoreWithout(...tools: Tool[]): boolean {
  return !REQUIRED && missing(...tools).length > 0;
}

/** First statement of such a test: with tools required, their absence fails it. */
export function requireTools(...tools: Tool[]): void {
  const gone = missing(...tools);
  assert.deepEqual(gone, [], `missing ${gone.join(", ")}: run scripts/test-deps.sh`);
}

/** Set `DISBATCH_UPDATE_SCREENSHOTS=1` to have the tests refresh the README's images. */
export const SCREENSHOT_DIR = Deno.env.get("DISBATCH_UPDATE_SCREENSHOTS") === "1"
  ? `${ROOT}/docs/img`
  : null;

/** Width and height of a PNG file (from its IHDR chunk); throws when it is not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...bytes.subarray(0, 8)], sig, "not a PNG file");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/** Renders terminal text (a captured pane) to a PNG with ImageMagick, light on dark. */
export async function screenToPng(lines: string[], path: string): Promise<void> {
  // label: text is expanded by ImageMagick: `%` and `\` must be doubled to stay literal.
  const text = lines.join("\n").replaceAll("\\", "\\\\").replaceAll("%", "%%");
  const out = await new Deno.Command("convert", {
    args: [
      "-background",
      "#1d1f21",
      "-fill",
      "#c5c8c6",
      "-font",
      "DejaVu-Sans-Mono",
      "-pointsize",
      "15",
      "-border",
      "12",
      "-bordercolor",
      "#1d1f21",
      `label:${text}`,
      "-depth",
      "8",
      path,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}
