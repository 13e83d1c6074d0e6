import assert from "node:assert/strict";
import { ENGINE_TAG, killTagged } from "./kill_tagged.ts";

Deno.test("killTagged ends every process carrying the tag, and nothing else", async () => {
  const tag = crypto.randomUUID();
  const spawn = (env: Record<string, string>) =>
    new Deno.Command("/usr/bin/setsid", {
      args: ["/bin/bash", "-c", "sleep 30 & sleep 30; true"],
      env,
      stdout: "null",
      stderr: "null",
    }).spawn();
  const tagged = spawn({ [ENGINE_TAG]: tag });
  const other = spawn({ [ENGINE_TAG]: "someone-else" });
  await new Promise((r) => setTimeout(r, 200));
  const found = await killTagged(tag, 300);
  assert.ok(found >= 3, `bash and its two sleeps carry the tag (found ${found})`);
  assert.equal((await tagged.status).signal, "SIGTERM");
  assert.equal(await killTagged(tag, 10), 0, "nothing tagged is left");
  other.kill("SIGKILL");
  await other.status;
  await killTagged("someone-else", 10);
});
