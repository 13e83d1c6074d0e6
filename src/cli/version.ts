/**
 * The program version (scripts/install reads it from this line) and the `--version` text.
 * @module
 */
import type { RunMode } from "../proc/run_mode.ts";

/** The version printed by `--version`. */
export const VERSION = "0.1.0";

/**
 * `--version` output: the bare version first (as disBatch prints it, for scripts), then the
 * runtime and how this copy runs.
 */
export function versionText(
  mode: RunMode,
  runtime: { deno: string; v8: string; typescript: string },
): string {
  const lines = [
    VERSION,
    `deno ${runtime.deno} (v8 ${runtime.v8}, typescript ${runtime.typescript})`,
  ];
  switch (mode.kind) {
    case "source":
      lines.push(`running from source: ${mode.root}`);
      break;
    case "compiled":
      lines.push(`running compiled: ${mode.binary}`);
      break;
    case "installed": {
      const m = mode.manifest;
      const what = m.kind === "binary" ? "installed (compiled)" : "installed";
      lines.push(`running ${what}: ${mode.dir}`);
      lines.push(`installed ${m.installedAt} from ${m.from} (commit ${m.commit})`);
      break;
    }
  }
  return lines.join("\n") + "\n";
}
