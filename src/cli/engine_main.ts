/**
 * `disbatch --engine ...`: internal role, started by a context through `P_dbUtil.sh`.
 * @module
 */
import { Engine, type EngineArgs, type EngineEnd } from "../engine/engine.ts";
import type { LogLevel } from "../log/logger.ts";
import { errorMessage } from "../log/error_message.ts";
import { heartbeatSettings } from "../protocol/heartbeat.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";

const SINGLE = [
  "db-util",
  "node",
  "context-rank",
  "cylinders",
  "cores-per-cylinder",
  "label",
  "tag",
  "loglevel",
] as const;

/** The engine's options (each `--name value` or `--name=value`); `--env-resource` repeats. */
export interface EngineArgv {
  single: Partial<Record<(typeof SINGLE)[number], string>>;
  envResource: string[];
}

/**
 * Parses the argv a context gives an engine; throws a one-line message. (Not node:util's
 * parseArgs: the first `node:` import adds ≈ 8 ms to every engine's start-up.)
 */
export function parseEngineArgv(argv: string[]): EngineArgv {
  const out: EngineArgv = { single: {}, envResource: [] };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith("--")) throw new Error(`unexpected argument '${word}'`);
    const eq = word.indexOf("=");
    const name = word.slice(2, eq === -1 ? undefined : eq);
    if (name !== "env-resource" && !(SINGLE as readonly string[]).includes(name)) {
      throw new Error(`unknown option '--${name}'`);
    }
    let value: string;
    if (eq !== -1) value = word.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    else throw new Error(`option '--${name}' needs a value`);
    if (name === "env-resource") out.envResource.push(value);
    else out.single[name as (typeof SINGLE)[number]] = value;
  }
  return out;
}

/** The engine's settings from its argv, or the one-line reason they are wrong. */
export function engineArgsOf(argv: string[]): EngineArgs | string {
  let parsed;
  try {
    parsed = parseEngineArgv(argv);
  } catch (e) {
    return errorMessage(e);
  }
  const v = parsed.single;
  if (!v["db-util"] || !v.node || !v.cylinders) {
    return "--db-util, --node and --cylinders are required";
  }
  return {
    dbUtil: v["db-util"],
    node: v.node,
    contextRank: Number(v["context-rank"] ?? 0),
    cylinders: Number(v.cylinders),
    coresPerCylinder: Number(v["cores-per-cylinder"] ?? 1),
    label: v.label ?? "SSH0",
    tag: v.tag ?? null,
    envResource: parsed.envResource,
    loglevel: (v.loglevel ?? "INFO") as LogLevel,
    heartbeat: heartbeatSettings(Deno.env.get("DISBATCH_HEARTBEAT")),
  };
}

/** Entry of the engine role; its stderr goes to the engine's wrap log. */
export async function engineMain(argv: string[]): Promise<number> {
  const args = engineArgsOf(argv);
  if (typeof args === "string") {
    console.error(`disbatch --engine: ${args}`);
    return EXIT_USAGE;
  }
  const engine = new Engine(args);
  try {
    return engineExitCode(await engine.run());
  } catch (e) {
    console.error(`disbatch --engine: ${errorMessage(e)}`);
    return EXIT_FAILED;
  }
}

/** The exit code of an engine process that ended this way. */
export function engineExitCode(end: EngineEnd): number {
  return end === "done" || end === "run_done" || end === "killed" ? EXIT_OK : EXIT_FAILED;
}
