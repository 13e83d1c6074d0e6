import assert from "node:assert/strict";
import { commandOutput } from "./command_output.ts";

Deno.test("commandOutput starts on first read and streams the command's stdout", async () => {
  const c = commandOutput('echo "$GREETING"; echo two; exit 3', { GREETING: "hello" });
  assert.equal(await c.status(), null, "not started before the first read");
  const text = new TextDecoder().decode(
    new Uint8Array(await new Response(c.stream).arrayBuffer()),
  );
  assert.equal(text, "hello\ntwo\n");
  assert.deepEqual(await c.status(), { code: 3, signal: null });
});

Deno.test("commandOutput terminate stops a command that never ends", async () => {
  const c = commandOutput("echo start; exec sleep 100", {});
  const reader = c.stream.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "start\n");
  reader.releaseLock();
  await c.terminate(500);
  const st = await c.status();
  assert.equal(st?.signal, "SIGTERM");
});

Deno.test("commandOutput runs the command in a session of its own", async () => {
  // Field 6 of /proc/PID/stat is the session id; sh's own PID is $$.
  const c = commandOutput("echo $$ $(cut -d' ' -f6 /proc/$$/stat)", {});
  const text = new TextDecoder().decode(
    new Uint8Array(await new Response(c.stream).arrayBuffer()),
  );
  const [pid, sid] = text.trim().split(" ").map(Number);
  assert.ok(pid > 0);
  assert.equal(sid, pid);
  assert.deepEqual(await c.status(), { code: 0, signal: null });
});
