import assert from "node:assert/strict";
import { VERSION, versionText } from "./version.ts";

const RUNTIME = { deno: "2.9.6", v8: "15.0", typescript: "6.0.3" };

Deno.test("versionText: the bare version first, then the runtime and how it runs", () => {
  assert.equal(
    versionText({ kind: "source", root: "/home/u/disbatch" }, RUNTIME),
    `${VERSION}\ndeno 2.9.6 (v8 15.0, typescript 6.0.3)\nrunning from source: /home/u/disbatch\n`,
  );
  assert.match(
    versionText({ kind: "compiled", binary: "/x/disbatch" }, RUNTIME),
    /^running compiled: \/x\/disbatch$/m,
  );
  const installed = versionText({
    kind: "installed",
    dir: "/p/lib/disbatch/0.1.0-abc",
    launcher: "/p/lib/disbatch/0.1.0-abc/disbatch",
    manifest: {
      version: VERSION,
      id: "0.1.0-abc",
      kind: "binary",
      runtime: "compiled (disbatch)",
      installedAt: "2026-12-04T10:00:00Z",
      from: "/src/disbatch",
      commit: "abc1234",
    },
  }, RUNTIME);
  assert.match(installed, /^running installed \(compiled\): \/p\/lib\/disbatch\/0\.1\.0-abc$/m);
  assert.match(
    installed,
    /^installed 2026-12-04T10:00:00Z from \/src\/disbatch \(commit abc1234\)$/m,
  );
});

Deno.test("scripts/install reads the version from version.ts's VERSION line", async () => {
  const text = await Deno.readTextFile(new URL("./version.ts", import.meta.url));
  assert.match(
    text,
    new RegExp(`^export const VERSION = "${VERSION.replaceAll(".", "\\.")}";$`, "m"),
  );
});
