import assert from "node:assert/strict";
import { startTask, type TaskRunResult } from "./run_task.ts";
import { sessionSpawner } from "./session_spawner.ts";

const enc = new TextEncoder();

function run(
  command: string | Uint8Array,
  extra: {
    env?: Record<string, string>;
    cwd?: string;
    pipeGraceMs?: number;
    via?: "posix_spawn" | "setsid";
  } = {},
): Promise<TaskRunResult> {
  return startTask({
    via: extra.via,
    command: typeof command === "string" ? enc.encode(command) : command,
    env: extra.env ?? {},
    cwd: extra.cwd ?? Deno.cwd(),
    pipeGraceMs: extra.pipeGraceMs,
  }).done;
}

/** Live (non-zombie) members of process group `pgid`, read from /proc. */
function groupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the parenthesised command name: state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") pids.push(Number(entry.name));
  }
  return pids;
}

async function waitGroupGone(pgid: number, ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  let left = groupMembers(pgid);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    left = groupMembers(pgid);
  }
  return left;
}

/** Every behaviour holds for both ways of making the session. */
for (const via of ["posix_spawn", "setsid"] as const) {
  const runV = (command: string | Uint8Array, extra: Parameters<typeof run>[1] = {}) =>
    run(command, { ...extra, via });
  test(`echo: output, pid of the bash process, rc 0 [${via}]`, async () => {
    const r = await runV("echo $$");
    assert.ok(r.pid > 0);
    assert.equal(r.rc, 0);
    assert.equal(r.outSnippet, `${r.pid}\n`);
    assert.equal(r.outBytes, String(r.pid).length + 1);
    assert.equal(r.errBytes, 0);
    assert.equal(r.errSnippet, "");
    assert.ok(r.start <= r.finish);
  });

  test(`exit codes and deaths by signal [${via}]`, async () => {
    assert.equal((await runV("exit 3")).rc, 3);
    assert.equal((await runV("exit 255")).rc, 255);
    assert.equal((await runV("kill -9 $$")).rc, -9);
    assert.equal((await runV("kill -TERM $$")).rc, -15);
    assert.equal((await runV("kill -SEGV $$")).rc, -11);
  });

  test(`stdout/stderr byte counts and snippets (spec §14.5) [${via}]`, async () => {
    const zeros = (n: number) => "0".repeat(n);
    const rows: [string, number, string][] = [
      ["printf '%040d' 0", 40, zeros(40)],
      ["printf '%041d' 0", 41, zeros(40) + "...0"],
      ["printf '%081d' 0", 81, zeros(40) + "..." + zeros(40)],
      ["printf '%0100d' 7", 100, zeros(40) + "..." + zeros(39) + "7"],
      [
        "printf abc; sleep 0.3; printf '%050d' 1; sleep 0.3; printf XYZ",
        56,
        "abc" + zeros(37) + "..." + zeros(12) + "1XYZ",
      ],
      [`echo "it's"`, 5, "it's\n"],
      ["printf 'a\\xffb'", 3, "a\uFFFDb"],
      ["printf '%039d\\xc3\\xa9tail' 0", 45, zeros(39) + "\uFFFD...\uFFFDtail"],
      [
        "printf 'caf\\xc3\\xa9 \\xf0\\x9f\\x98\\x80 \\xe2\\x80\\x8b \\xc2\\xa0 \\xc2\\x85'",
        20,
        "café 😀 \u200b \xa0 \x85",
      ],
      ["head -c 1000000 /dev/zero", 1000000, "\0".repeat(40) + "..." + "\0".repeat(40)],
    ];
    const results = await Promise.all(rows.map(([cmd]) => run(cmd)));
    rows.forEach(([cmd, bytes, snippet], i) => {
      assert.equal(results[i].rc, 0, cmd);
      assert.equal(results[i].outBytes, bytes, cmd);
      assert.equal(results[i].outSnippet, snippet, cmd);
      assert.equal(results[i].errBytes, 0, cmd);
    });

    const e = await runV("printf 'x' >&2; exit 0");
    assert.deepEqual([e.rc, e.outBytes, e.outSnippet, e.errBytes, e.errSnippet], [
      0,
      0,
      "",
      1,
      "x",
    ]);
    const both = await runV("echo out; echo error >&2; exit 4");
    assert.deepEqual(
      [both.rc, both.outBytes, both.outSnippet, both.errBytes, both.errSnippet],
      [4, 4, "out\n", 6, "error\n"],
    );
  });

  test(`env entries are added to the inherited environment; cwd is honoured [${via}]`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const r = await runV('printf "%s|%s" "$DISBATCH_TASKID" "${PATH:+inherited}"', {
        env: { DISBATCH_TASKID: "7" },
      });
      assert.equal(r.outSnippet, "7|inherited");
      const pwd = await runV("pwd -P", { cwd: dir });
      assert.equal(pwd.outSnippet, (await Deno.realPath(dir)) + "\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  test(`stdin is /dev/null and the task leads its own session and process group [${via}]`, async () => {
    const r = await runV(`readlink /proc/self/fd/0; ps -o sid=,pgid= -p $$; echo $$`);
    const [stdin, ids, pid] = r.outSnippet.trim().split("\n");
    assert.equal(stdin, "/dev/null");
    assert.deepEqual(ids.trim().split(/\s+/).map(Number), [r.pid, r.pid]);
    assert.equal(Number(pid), r.pid);
    assert.notEqual(r.pid, Deno.pid);
  });

  test(`a non-UTF-8 command runs with its exact bytes [${via}]`, async () => {
    const cmd = new Uint8Array([...enc.encode("echo "), 0xff, 0xfe, ...enc.encode(" nonutf8cmd")]);
    const r = await runV(cmd);
    assert.equal(r.rc, 0);
    assert.equal(r.outBytes, 14);
    assert.equal(r.outSnippet, "\uFFFD\uFFFD nonutf8cmd\n");
    // A leading BOM is part of the command word (as in Python), not stripped by the decoder.
    const bom = await runV(new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("true")]));
    assert.equal(bom.rc, 127);
    // Quotes, backslashes and control bytes (here a TAB) survive the ANSI-C quoting too.
    const tricky = new Uint8Array([
      ...enc.encode(`printf '%s|' "it's" 'a\\b' $'\\t'; printf '\\xe9'; echo \t`),
      0xe9,
    ]);
    const t = await runV(tricky);
    assert.equal(t.outBytes, 14);
    assert.equal(t.outSnippet, "it's|a\\b|\t|\uFFFD\uFFFD\n");
  });

  test(`spawn failure: E2BIG for a 320,000-byte command [${via}]`, async () => {
    const before = Date.now() / 1000;
    const r = await runV("echo " + "x".repeat(320_000 - 5));
    assert.equal(r.pid, -1);
    assert.equal(r.rc, 7);
    assert.equal(r.outBytes, 0);
    assert.equal(r.outSnippet, "");
    assert.match(r.errSnippet, /^Exception during task execution: .*Argument list too long/);
    assert.equal(r.errBytes, r.errSnippet.length);
    assert.ok(
      before - 0.01 <= r.start && r.start <= r.finish && r.finish <= Date.now() / 1000 + 0.01,
    );
  });

  test(`spawn failure without an errno in the message: missing cwd → ENOENT 2 [${via}]`, async () => {
    const t = startTask({
      via,
      command: enc.encode("true"),
      env: {},
      cwd: "/nonexistent/dir",
    });
    assert.equal(t.pid, -1);
    await t.terminate(10); // nothing to do, must not throw
    const r = await t.done;
    assert.equal(r.rc, 2);
    assert.match(r.errSnippet, /^Exception during task execution: .*nonexistent/);
  });

  test(`a background child holding the pipes: bounded wait, bytes so far, nothing killed [${via}]`, async () => {
    const t0 = performance.now();
    const r = await runV("sleep 20 & echo started", { pipeGraceMs: 300 });
    const took = performance.now() - t0;
    try {
      // Bounded by the grace, far from the 20 s the child holds the pipes (a loaded machine
      // adds seconds at most).
      assert.ok(took >= 290 && took < 10_000, `took ${took} ms`);
      assert.deepEqual([r.rc, r.outBytes, r.outSnippet], [0, 8, "started\n"]);
      assert.ok(r.finish - r.start < 0.2); // finish is taken at exit, before the pipe wait
      assert.equal(groupMembers(r.pid).length, 1, "the background sleep must survive");
    } finally {
      Deno.kill(-r.pid, "SIGKILL");
    }
    assert.deepEqual(await waitGroupGone(r.pid, 1000), []);
  });

  test(`output written shortly after exit is still collected [${via}]`, async () => {
    const t0 = performance.now();
    const r = await runV("(sleep 1; echo late; echo late >&2) & echo early", {
      pipeGraceMs: 30_000,
    });
    const took = performance.now() - t0;
    // Done when the output closed (≈ 1 s), not at the end of the 30 s grace.
    assert.ok(took >= 990 && took < 20_000, `took ${took} ms`);
    assert.deepEqual([r.outSnippet, r.errSnippet], ["early\nlate\n", "late\n"]);
    // The finish time is the exit's, not the output's end 1 s later.
    assert.ok(r.finish - r.start < 0.9);
  });

  test(`terminate() ends the whole process group [${via}]`, async () => {
    const t = startTask({
      via,
      command: enc.encode("sleep 100 & sleep 100"),
      env: {},
      cwd: "/",
    });
    await new Promise((r) => setTimeout(r, 100)); // let bash fork both sleeps
    assert.equal(groupMembers(t.pid).length >= 2, true);
    const t0 = performance.now();
    await t.terminate(30_000);
    const r = await t.done;
    // SIGTERM reached both sleeps: no SIGKILL 30 s later was needed.
    assert.ok(performance.now() - t0 < 15_000);
    assert.equal(r.rc, -15);
    assert.deepEqual(await waitGroupGone(t.pid, 1000), []);
  });

  test(`terminate() escalates to SIGKILL after the grace period [${via}]`, async () => {
    const t = startTask({
      via,
      command: enc.encode("trap '' TERM; sleep 100 & wait"),
      env: {},
      cwd: "/",
    });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await t.terminate(200);
    const took = performance.now() - t0;
    // After the grace, long before the 100 s sleep would end.
    assert.ok(took >= 190 && took < 20_000, `took ${took} ms`);
    assert.equal((await t.done).rc, -9);
    assert.deepEqual(await waitGroupGone(t.pid, 1000), []);
  });

  test(`onDone: once, when exited and the output closed, before done; also for a failed start [${via}]`, async () => {
    let doneAt = 0;
    const calls: number[] = [];
    const t = startTask({
      via,
      // The background subshell holds the pipes 0.3 s past the exit of bash.
      command: enc.encode("(sleep 0.3; echo late) & echo early"),
      env: {},
      cwd: "/",
      onDone: () => calls.push(performance.now()),
    });
    const t0 = performance.now();
    void t.done.then(() => doneAt = performance.now());
    const r = await t.done;
    assert.equal(calls.length, 1);
    assert.ok(calls[0] - t0 >= 250, `onDone after ${calls[0] - t0} ms: before the pipes closed`);
    assert.ok(calls[0] <= doneAt, "onDone before done's callbacks");
    assert.deepEqual([r.rc, r.outSnippet], [0, "early\nlate\n"]);
    let failed = 0;
    const bad = startTask({
      via,
      command: enc.encode("true"),
      env: {},
      cwd: "/nonexistent-dir",
      onDone: () => failed++,
    });
    assert.equal(failed, 0, "never from inside startTask()");
    assert.equal((await bad.done).rc, 2);
    assert.equal(failed, 1);
  });

  test(`elapsed time is accurate (no polling) [${via}]`, async () => {
    const r = await runV("sleep 0.2");
    const elapsed = r.finish - r.start;
    // A poll once a second (the original's) would give about 1 s.
    assert.ok(elapsed >= 0.2 && elapsed < 0.9, `elapsed ${elapsed}`);
  });
}

/** A test that also waits until the spawner has no wait in flight (the op sanitizer). */
function test(name: string, fn: () => Promise<void>): void {
  Deno.test(name, async () => {
    await fn();
    await sessionSpawner()?.idle();
  });
}

Deno.test("the posix_spawn path is really available on this Linux/glibc machine", () => {
  // Otherwise the [posix_spawn] variants above would silently test the fallback.
  assert.notEqual(sessionSpawner(), null);
});

test("posix_spawn: descriptors leaked to the engine stay out of the task", async () => {
  // dup(2) gives a descriptor without close-on-exec, as a user's shell may leave one open.
  const libc = Deno.dlopen("libc.so.6", {
    dup: { parameters: ["i32"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
  });
  const fd = libc.symbols.dup(2);
  try {
    assert.ok(fd > 2);
    const r = await run(`ls /proc/self/fd | tr '\\n' ' '`, { via: "posix_spawn" });
    assert.equal(r.outSnippet, "0 1 2 3 "); // ls holds fd 3 itself (the directory it reads)
  } finally {
    libc.symbols.close(fd);
    libc.close();
  }
});

for (const via of ["posix_spawn", "setsid"] as const) {
  test(`tasks get default signal state [${via}]`, async () => {
    // Separate runs: a snippet keeps 40 bytes, one line is 25.
    const mask = async (field: string) =>
      BigInt("0x" + (await run(`grep ^${field} /proc/self/status`, { via })).outSnippet.slice(8));
    const [blocked, ignored] = [await mask("SigBlk"), await mask("SigIgn")];
    assert.equal(blocked, 0n);
    // Nothing but glibc's two internal real-time signals (32, 33) is ignored; SIGPIPE (13) is
    // not, although the Deno process ignores it.
    assert.equal(ignored & ~0x1_8000_0000n, 0n);
    // `yes` dies quietly of SIGPIPE instead of reporting EPIPE.
    const pipe = await run('yes | head -c 2; echo " ${PIPESTATUS[0]}"', { via });
    assert.deepEqual([pipe.outSnippet, pipe.errSnippet], ["y\n 141\n", ""]);
  });

  test(`40 concurrent tasks: each result is its own [${via}]`, async () => {
    const results = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) =>
          run(`head -c ${i * 5000} /dev/zero | tr '\\0' x; echo err${i} >&2; exit ${i}`, { via }),
      ),
    );
    results.forEach((r, i) => {
      assert.deepEqual([r.rc, r.outBytes, r.errSnippet], [i, i * 5000, `err${i}\n`]);
    });
  });
}

for (const via of ["posix_spawn", "setsid"] as const) {
  test(`tee gets every byte of both streams, in order, binary included [${via}]`, async () => {
    const got = { out: [] as number[], err: [] as number[] };
    const r = await startTask({
      via,
      command: enc.encode(
        "head -c 200000 /dev/zero | tr '\\0' '\\377'; printf '\\0\\1' >&2; " +
          "exec 1>&-; printf 'after' >&2",
      ),
      env: {},
      cwd: Deno.cwd(),
      // Copied at once: the chunk may be the reader's buffer.
      tee: { stdout: (c) => got.out.push(...c), stderr: (c) => got.err.push(...c) },
    }).done;
    assert.deepEqual([r.outBytes, r.errBytes], [200000, 7]);
    assert.equal(got.out.length, 200000);
    assert.ok(got.out.every((b) => b === 0xff));
    assert.deepEqual(got.err, [0, 1, ...enc.encode("after")]);
  });
}
