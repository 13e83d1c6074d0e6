/**
 * `disbatch --engine ...`: internal role, started by a context through `P_dbUtil.sh`.
 * @module
 */
import { parseArgs } from "node:util";
import { Engine } from "../engine/engine.ts";
import type { LogLevel } from "../log/logger.ts";
import { heartbeatSettings } from "../protocol/heartbeat.ts";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";

/** Entry of the engine role; its stderr goes to the engine's wrap log. */
export async function engineMain(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        "db-util": { type: "string" },
        node: { type: "string" },
        "context-rank": { type: "string" },
        cylinders: { type: "string" },
        "cores-per-cylinder": { type: "string" },
        label: { type: "string" },
        tag: { type: "string" },
        loglevel: { type: "string", default: "INFO" },
        "env-resource": { type: "string", multiple: true, default: [] },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`disbatch --engine: ${(e as Error).message}`);
    return EXIT_USAGE;
  }
  if (!v["db-util"] || !v.node || !v.cylinders) {
    console.error("disbatch --engine: --db-util, --node and --cylinders are required");
    return EXIT_USAGE;
  }
  const engine = new Engine({
    dbUtil: v["db-util"],
    node: v.node,
    contextRank: Number(v["context-rank"] ?? 0),
    cylinders: Number(v.cylinders),
    coresPerCylinder: Number(v["cores-per-cylinder"] ?? 1),
    label: v.label ?? "SSH0",
    tag: v.tag ?? null,
    envResource: v["env-resource"] as string[],
    loglevel: v.loglevel as LogLevel,
    heartbeat: heartbeatSettings(Deno.env.get("DISBATCH_HEARTBEAT")),
  });
  try {
    const end = await engine.run();
    return end === "done" || end === "run_done" || end === "killed" ? EXIT_OK : EXIT_FAILED;
  } catch (e) {
    console.error(`disbatch --engine: ${(e as Error).message}`);
    return EXIT_FAILED;
  }
}
