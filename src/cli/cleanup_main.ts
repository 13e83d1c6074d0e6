/**
 * `disbatch --cleanup --tag T` (internal, run on a node through `P_dbUtil.sh` by a context whose
 * engine there died abruptly): ends every process of that engine's tasks.
 * @module
 */
import { errorMessage } from "../log/error_message.ts";
import { parseArgs } from "node:util";
import { TERM_GRACE_MS } from "../proc/kill_group.ts";
import { killTagged } from "../proc/kill_tagged.ts";
import { EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";

/** Entry of the cleanup role. */
export async function cleanupMain(argv: string[]): Promise<number> {
  let tag: string | undefined;
  try {
    tag = parseArgs({ args: argv, options: { tag: { type: "string" } }, strict: true }).values.tag;
  } catch (e) {
    console.error(`disbatch --cleanup: ${errorMessage(e)}`);
    return EXIT_USAGE;
  }
  if (!tag || tag.length < 8) {
    console.error("disbatch --cleanup: --tag (the engine's tag) is required");
    return EXIT_USAGE;
  }
  const n = await killTagged(tag, TERM_GRACE_MS);
  console.log(`disbatch --cleanup: ended ${n} processes`);
  return EXIT_OK;
}
