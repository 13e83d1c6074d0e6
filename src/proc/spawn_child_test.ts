import assert from "node:assert/strict";
import { runCapture, spawnChild, SpawnError } from "./spawn_child.ts";

/** [session id, process group id] of a live process, from /proc. */
function ids(pid: number): [number, number] {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(f[3]), Number(f[2])];
}

/** [session id, group id] of `pid` once it leads its own session (setsid(1) runs a moment late). */
async function ownSession(pid: number): Promise<[number, number]> {
  const until = Date.now() + 2000;
  while (ids(pid)[0] !== pid && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  return ids(pid);
}

/** Live (non-zombie) members of process group `pgid`, waiting up to 1 s for it to empty. */
async function survivors(pgid: number): Promise<number[]> {
  const until = Date.now() + 1000;
  for (;;) {
    const pids: number[] = [];
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(pgrp) === pgid && state !== "Z") pids.push(Number(entry.name));
      } catch {
        // exited meanwhile
      }
    }
    if (pids.length === 0 || Date.now() > until) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("stdout and stderr appended to separate files; PID kept through the sh wrapper", () =>
  withTempDir(async (dir) => {
    const out = `${dir}/out.log`;
    const err = `${dir}/err.log`;
    await Deno.writeTextFile(out, "old\n");
    const child = spawnChild({
      cmd: "/bin/bash",
      args: ["-c", 'echo "pid $$ $MY_VAR $PWD"; echo oops >&2', "with space"],
      env: { MY_VAR: "v1" },
      cwd: dir,
      stdoutFile: out,
      stderr: "file",
      stderrFile: err,
    });
    assert.deepEqual(await child.status, { code: 0, signal: null });
    assert.equal(await Deno.readTextFile(out), `old\npid ${child.pid} v1 ${dir}\n`);
    assert.equal(await Deno.readTextFile(err), "oops\n");
  }));

Deno.test("stderr 'file' without stderrFile shares the stdout file", () =>
  withTempDir(async (dir) => {
    const log = `${dir}/both.log`;
    const child = spawnChild({
      cmd: "/bin/sh",
      args: ["-c", "echo a; echo b >&2; echo c"],
      stdoutFile: log,
      stderr: "file",
    });
    assert.equal((await child.status).code, 0);
    assert.equal(await Deno.readTextFile(log), "a\nb\nc\n");
  }));

Deno.test("piped stdin reaches the child; the child leads a new session", () =>
  withTempDir(async (dir) => {
    const out = `${dir}/cat.log`;
    const child = spawnChild({ cmd: "cat", args: [], stdin: "piped", stdoutFile: out });
    assert.deepEqual(await ownSession(child.pid), [child.pid, child.pid]);
    await child.writeStdin("hello ");
    await child.writeStdin(new TextEncoder().encode("world\n"));
    await child.closeStdin();
    assert.deepEqual(await child.status, { code: 0, signal: null });
    assert.equal(await Deno.readTextFile(out), "hello world\n");
  }));

Deno.test("an unclosed piped stdin is released when the child exits", async () => {
  const child = spawnChild({ cmd: "/bin/sh", args: ["-c", "exit 5"], stdin: "piped" });
  assert.deepEqual(await child.status, { code: 5, signal: null });
  await new Promise((r) => setTimeout(r, 0)); // let the release run before the leak check
});

Deno.test("writeStdin without a piped stdin rejects", async () => {
  const child = spawnChild({ cmd: "true", args: [] });
  await assert.rejects(child.writeStdin("x"));
  await child.status;
});

Deno.test("terminate() kills the whole group", async () => {
  const child = spawnChild({
    cmd: "/bin/sh",
    args: ["-c", "sleep 100 & sleep 100; echo unreachable"],
    stderr: "null",
  });
  await new Promise((r) => setTimeout(r, 100));
  await child.terminate(2000);
  assert.deepEqual(await child.status, { code: 143, signal: "SIGTERM" });
  assert.deepEqual(await survivors(child.pid), []);
});

Deno.test("terminate() escalates to SIGKILL", async () => {
  const child = spawnChild({ cmd: "/bin/sh", args: ["-c", "trap '' TERM; sleep 100 & wait"] });
  await new Promise((r) => setTimeout(r, 100));
  await child.terminate(150);
  assert.equal((await child.status).signal, "SIGKILL");
  assert.deepEqual(await survivors(child.pid), []);
});

Deno.test("start failures throw SpawnError", () =>
  withTempDir(async (dir) => {
    assert.throws(() => spawnChild({ cmd: "/nonexistent/cmd", args: [] }), SpawnError);
    assert.throws(() => spawnChild({ cmd: "true", args: [], stdoutFile: dir }), SpawnError);
    assert.throws(() => spawnChild({ cmd: "true", args: [], stderr: "file" }), SpawnError);
    await assert.rejects(runCapture("/nonexistent/cmd", []), SpawnError);
  }));

Deno.test("runCapture returns exit code and both outputs", async () => {
  const host = await runCapture("hostname", []);
  assert.equal(host.code, 0);
  assert.equal(host.stdout.trim(), Deno.hostname());
  const r = await runCapture("/bin/sh", ["-c", 'printf "%s" "$X"; printf e >&2; exit 3'], {
    env: { X: "x" },
    cwd: "/",
  });
  assert.deepEqual(r, { code: 3, stdout: "x", stderr: "e" });
});
