import assert from "node:assert/strict";
import { ENGINE_TAG, killTagged, taggedPids } from "./kill_tagged.ts";

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

Deno.test("killTagged finds a daemon that left its session, and SIGKILLs one that ignores SIGTERM", async () => {
  const tag = crypto.randomUUID();
  const marker = `kill_tagged_test.${crypto.randomUUID()}`;
  // A double fork into a session of its own, ignoring SIGTERM: only the tag leads to it.
  const task = new Deno.Command("/usr/bin/setsid", {
    args: [
      "/bin/bash",
      "-c",
      `(trap '' TERM; exec setsid -f bash -c 'trap "" TERM; sleep 60; : ${marker}' &) ; exit 0`,
    ],
    env: { [ENGINE_TAG]: tag },
    stdout: "null",
    stderr: "null",
  }).spawn();
  assert.equal((await task.status).code, 0);
  let daemons: number[] = [];
  for (let i = 0; i < 200 && daemons.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 25));
    daemons = taggedPids(tag);
  }
  assert.ok(daemons.length > 0, "the daemon carries the tag");
  assert.ok(await killTagged(tag, 500) > 0);
  for (let i = 0; i < 200 && taggedPids(tag).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual(taggedPids(tag), [], "SIGKILLed after the grace");
});

Deno.test("killTagged returns once the processes are gone, not after the whole grace", async () => {
  const tag = crypto.randomUUID();
  const p = new Deno.Command("/usr/bin/setsid", {
    args: ["/bin/sleep", "60"],
    env: { [ENGINE_TAG]: tag },
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Until setsid has exec'ed sleep: in the middle of an exec, /proc/PID/environ reads empty.
  const isSleep = () => {
    try {
      return Deno.readTextFileSync(`/proc/${p.pid}/comm`).trim() === "sleep";
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 200 && !(isSleep() && taggedPids(tag).length === 1); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const t0 = Date.now();
  // sleep dies of the SIGTERM at once; a killTagged that waited the whole grace takes 120 s.
  assert.equal(await killTagged(tag, 120_000), 1);
  assert.ok(Date.now() - t0 < 60_000);
  assert.equal((await p.status).signal, "SIGTERM");
});

Deno.test("taggedPids matches the whole entry only", async () => {
  const tag = crypto.randomUUID();
  const spawn = (env: Record<string, string>) =>
    new Deno.Command("/bin/sleep", { args: ["60"], env, stdout: "null", stderr: "null" }).spawn();
  const children = [
    spawn({ [`X${ENGINE_TAG}`]: tag }),
    spawn({ [ENGINE_TAG]: `${tag}x` }),
    spawn({ OTHER: `${ENGINE_TAG}=${tag}` }),
    spawn({ [ENGINE_TAG]: tag }),
  ];
  try {
    let found: number[] = [];
    for (let i = 0; i < 200 && found.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      found = taggedPids(tag);
    }
    assert.deepEqual(found, [children[3].pid]);
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await Promise.all(children.map((c) => c.status));
  }
});
