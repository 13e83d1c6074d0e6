/**
 * How this process runs: from a source checkout (`scripts/disbatch`, `deno run main.ts`), from
 * a copy made by `scripts/install`, or as a compiled binary (installed or not). Self-invocation
 * (engines, contexts, `--sbatch`) and `--version` depend on it.
 *
 * An installed version is a directory holding `install.json` (written by scripts/install) and
 * its own launcher `disbatch`, which sets `DENO_DIR` to the version's module cache; a compiled
 * binary installed there is `disbatch-bin` beside them.
 * @module
 */

/** What scripts/install records in `install.json`. */
export interface InstallManifest {
  /** Program version (src/cli/version.ts). */
  version: string;
  /** Directory name under `PREFIX/lib/disbatch/`: version plus a content hash. */
  id: string;
  /** `source`: the Deno runtime runs the program's files; `binary`: a compiled binary. */
  kind: "source" | "binary";
  /** `deno 2.x.y`, or `compiled (…)`. */
  runtime: string;
  installedAt: string;
  /** The checkout it was installed from, and its commit. */
  from: string;
  commit: string;
}

/** The three ways of running. */
export type RunMode =
  | { kind: "source"; root: string }
  | { kind: "compiled"; binary: string }
  | { kind: "installed"; dir: string; launcher: string; manifest: InstallManifest };

/** The file that marks an installed version's directory. */
export const INSTALL_MANIFEST = "install.json";

/** The launcher inside an installed version's directory. */
export const INSTALLED_LAUNCHER = "disbatch";

/** Reads `install.json` text; null when absent or not a manifest. */
export function parseManifest(text: string | null): InstallManifest | null {
  if (text === null) return null;
  try {
    const m = JSON.parse(text);
    if (typeof m?.version !== "string" || typeof m?.id !== "string") return null;
    return m as InstallManifest;
  } catch {
    return null;
  }
}

/**
 * Decides the run mode from the facts of this process: whether it is a compiled binary, its
 * executable, the program's root directory (where main.ts is; meaningless when compiled), and
 * a reader of files there.
 */
export function decideRunMode(facts: {
  standalone: boolean;
  execPath: string;
  root: string;
  read: (path: string) => string | null;
}): RunMode {
  const dir = facts.standalone ? dirname(facts.execPath) : facts.root;
  const manifest = parseManifest(facts.read(`${dir}/${INSTALL_MANIFEST}`));
  if (manifest) {
    return { kind: "installed", dir, launcher: `${dir}/${INSTALLED_LAUNCHER}`, manifest };
  }
  if (facts.standalone) return { kind: "compiled", binary: facts.execPath };
  return { kind: "source", root: facts.root };
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

/** main.ts's directory (two levels above src/proc/). */
const ROOT = decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");

let cached: RunMode | undefined;

/** This process's run mode (decided once). */
export function runMode(): RunMode {
  cached ??= decideRunMode({
    standalone: Deno.build.standalone,
    execPath: Deno.execPath(),
    root: ROOT,
    read: (p) => {
      try {
        return Deno.readTextFileSync(p);
      } catch {
        return null;
      }
    },
  });
  return cached;
}

/**
 * The installed launcher points Deno at the version's own module cache through `DENO_DIR`, and
 * keeps a caller's own value in `DISBATCH_OUTER_DENO_DIR`. Deno has read it by now: give tasks
 * and every other child the environment the user had. A child disbatch goes through the
 * launcher again.
 */
export function restoreCallerEnv(env: {
  get(k: string): string | undefined;
  set(k: string, v: string): void;
  delete(k: string): void;
}, mode: RunMode): void {
  if (mode.kind !== "installed" || mode.manifest.kind !== "source") return;
  if (env.get("DENO_DIR") !== `${mode.dir}/cache`) return;
  const outer = env.get("DISBATCH_OUTER_DENO_DIR");
  if (outer === undefined) env.delete("DENO_DIR");
  else env.set("DENO_DIR", outer);
  env.delete("DISBATCH_OUTER_DENO_DIR");
}
