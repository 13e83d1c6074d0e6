import assert from "node:assert/strict";
import { decideRunMode, parseManifest, restoreCallerEnv, runMode } from "./run_mode.ts";

const MANIFEST = JSON.stringify({
  version: "0.1.0",
  id: "0.1.0-abc",
  kind: "source",
  runtime: "deno 2.9.6",
  installedAt: "2026-12-04T10:00:00Z",
  from: "/src/disbatch",
  commit: "abc1234",
});

/** A reader of the files in `files`. */
function reader(files: Record<string, string>): (p: string) => string | null {
  return (p) => files[p] ?? null;
}

Deno.test("decideRunMode: a checkout is source; install.json beside main.ts is installed", () => {
  const facts = { standalone: false, execPath: "/usr/bin/deno", root: "/home/u/disbatch" };
  assert.deepEqual(decideRunMode({ ...facts, read: reader({}) }), {
    kind: "source",
    root: "/home/u/disbatch",
  });
  const installed = decideRunMode({
    ...facts,
    root: "/p/lib/disbatch/0.1.0-abc",
    read: reader({ "/p/lib/disbatch/0.1.0-abc/install.json": MANIFEST }),
  });
  assert.equal(installed.kind, "installed");
  if (installed.kind !== "installed") return;
  assert.equal(installed.dir, "/p/lib/disbatch/0.1.0-abc");
  assert.equal(installed.launcher, "/p/lib/disbatch/0.1.0-abc/disbatch");
  assert.equal(installed.manifest.commit, "abc1234");
});

Deno.test("decideRunMode: a compiled binary is installed when install.json is beside it", () => {
  const facts = { standalone: true, execPath: "/opt/x/disbatch-bin", root: "/tmp/deno-compile" };
  assert.deepEqual(decideRunMode({ ...facts, read: reader({}) }), {
    kind: "compiled",
    binary: "/opt/x/disbatch-bin",
  });
  const m = decideRunMode({ ...facts, read: reader({ "/opt/x/install.json": MANIFEST }) });
  assert.equal(m.kind, "installed");
});

Deno.test("parseManifest: garbage or a foreign install.json is not a manifest", () => {
  assert.equal(parseManifest(null), null);
  assert.equal(parseManifest("{"), null);
  assert.equal(parseManifest('{"name":"some-package"}'), null);
  assert.equal(parseManifest(MANIFEST)?.id, "0.1.0-abc");
});

Deno.test("restoreCallerEnv gives children the caller's DENO_DIR, or none", () => {
  const mode = decideRunMode({
    standalone: false,
    execPath: "/p/deno",
    root: "/p/v",
    read: reader({ "/p/v/install.json": MANIFEST }),
  });
  const env = (vars: Record<string, string>) => ({
    vars,
    get: (k: string) => vars[k],
    set: (k: string, v: string) => void (vars[k] = v),
    delete: (k: string) => void delete vars[k],
  });
  const unset = env({ DENO_DIR: "/p/v/cache", OTHER: "1" });
  restoreCallerEnv(unset, mode);
  assert.deepEqual(unset.vars, { OTHER: "1" });
  const own = env({ DENO_DIR: "/p/v/cache", DISBATCH_OUTER_DENO_DIR: "/u/cache" });
  restoreCallerEnv(own, mode);
  assert.deepEqual(own.vars, { DENO_DIR: "/u/cache" });
  // Not started by the launcher (DENO_DIR is the user's): left alone; likewise from source.
  const direct = env({ DENO_DIR: "/u/cache" });
  restoreCallerEnv(direct, mode);
  assert.deepEqual(direct.vars, { DENO_DIR: "/u/cache" });
  const source = env({ DENO_DIR: "/p/v/cache" });
  restoreCallerEnv(source, { kind: "source", root: "/p/v" });
  assert.deepEqual(source.vars, { DENO_DIR: "/p/v/cache" });
});

Deno.test("runMode: the tests run from source", () => {
  assert.equal(runMode().kind, "source");
});
