import assert from "node:assert/strict";
import { EAGER_SPAWNS } from "./child_watcher.ts";
import { exitedWithin } from "../time/exited_within.ts";
import {
  type SessionChild,
  SessionSpawner,
  sessionSpawner,
  SessionSpawnError,
  type SessionStatus,
} from "./session_spawner.ts";

const dec = new TextDecoder();

/** Opened at load time: the library it holds is process-wide, not one test's leak. */
const shared = sessionSpawner();
/** The same without pidfds, as on kernels before 5.3: exits awaited by waitpid off the thread. */
const withoutPidfd = SessionSpawner.open({ pidfd: false });
/** Pidfds, and pipes always watched late (never switched to early watching by a full pipe). */
const alwaysLazy = SessionSpawner.open({ eagerSpawns: 0 });
/** Pidfds, and every wait on the main thread (between turns of the event loop) but after a miss. */
const alwaysHere = SessionSpawner.open({ hotGapMs: Infinity });

Deno.test("available on this Linux/glibc machine, with and without pidfds", () => {
  assert.notEqual(shared, null);
  assert.notEqual(withoutPidfd, null);
  assert.notEqual(alwaysLazy, null);
  assert.notEqual(alwaysHere, null);
});

for (
  const [mode, spawner] of [
    ["pidfd", shared],
    ["waitpid", withoutPidfd],
    ["pidfd, always lazy", alwaysLazy],
    ["pidfd, waits on the main thread", alwaysHere],
  ] as const
) {
  suite(mode, spawner!);
}

/** Every behaviour, on one spawner; test names carry `mode`. */
function suite(mode: string, spawner: SessionSpawner): void {
  function start(
    argv: (string | Uint8Array)[],
    extra: {
      env?: Record<string, string>;
      baseEnv?: Record<string, string>;
      cwd?: string;
      /** Also told of each stdout chunk, as text. */
      onOut?: (text: string) => void;
      onDone?: (status: SessionStatus) => void;
    } = {},
  ): { child: SessionChild; out: () => string; err: () => string } {
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const child = spawner.spawn({
      file: typeof argv[0] === "string" ? argv[0] : dec.decode(argv[0]),
      argv,
      env: extra.env ?? {},
      ...(extra.baseEnv ? { baseEnv: extra.baseEnv } : {}),
      cwd: extra.cwd ?? Deno.cwd(),
      onStdout: (c) => {
        out.push(c.slice());
        extra.onOut?.(dec.decode(c));
      },
      onStderr: (c) => err.push(c.slice()),
      ...(extra.onDone ? { onDone: extra.onDone } : {}),
    });
    const text = (parts: Uint8Array[]) => () => parts.map((p) => dec.decode(p)).join("");
    return { child, out: text(out), err: text(err) };
  }

  /** A test that also waits until the spawner has no wait in flight (the op sanitizer). */
  function test(name: string, fn: () => Promise<void>): void {
    Deno.test(`${mode}: ${name}`, async () => {
      await fn();
      await spawner.idle();
    });
  }

  test("exit code, signal, and both streams", async () => {
    const a = start(["/bin/bash", "-c", "echo out; echo err >&2; exit 5"]);
    assert.deepEqual(await a.child.status, { code: 5, signal: null });
    await a.child.drained;
    assert.deepEqual([a.out(), a.err()], ["out\n", "err\n"]);
    const b = start(["/bin/bash", "-c", "kill -USR1 $$"]);
    assert.deepEqual(await b.child.status, { code: 0, signal: 10 });
    await b.child.drained;
  });

  test("argv bytes are passed as they are; env entries override inherited ones", async () => {
    const arg = new Uint8Array([0x61, 0xff, 0x62]);
    const a = start(["/bin/bash", "-c", 'printf %s "$1" | od -An -tx1; echo "$HOME"', "sh", arg], {
      env: { HOME: "/override" },
    });
    await a.child.status;
    await a.child.drained;
    assert.equal(a.out().replace(/ +/g, " "), " 61 ff 62\n/override\n");
  });

  Deno.test(`${mode}: a missing program or working directory throws with its errno`, () => {
    assert.throws(
      () => start(["/nonexistent/program"]),
      (e) => e instanceof SessionSpawnError && e.errno === 2,
    );
    assert.throws(
      () => start(["/bin/true"], { cwd: "/nonexistent/dir" }),
      (e) => e instanceof SessionSpawnError && e.errno === 2,
    );
  });

  test("abandonPipes() ends the wait for a grandchild that holds them", async () => {
    const a = start(["/bin/bash", "-c", "sleep 30 & echo $!"]);
    await a.child.status;
    let drained = false;
    void a.child.drained.then(() => drained = true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(drained, false);
    a.child.abandonPipes();
    await a.child.drained;
    const sleeper = Number(a.out().trim());
    assert.ok(sleeper > 0);
    Deno.kill(-a.child.pid, "SIGKILL");
  });

  test("many children at once, some with more output than one read takes", async () => {
    const runs = Array.from(
      { length: 30 },
      (_, i) => start(["/bin/bash", "-c", `head -c ${i * 20000} /dev/zero; exit ${i}`]),
    );
    const sizes = runs.map(() => 0);
    for (const [i, r] of runs.entries()) {
      assert.deepEqual(await r.child.status, { code: i, signal: null });
      await r.child.drained;
      sizes[i] = new TextEncoder().encode(r.out()).length;
    }
    assert.deepEqual(sizes, runs.map((_, i) => i * 20000));
  });

  test("a child that fills both pipes at once is read before it exits", async () => {
    // More than a pipe holds, on both streams, before the child could exit: with its pipes
    // never watched while it runs (see LAZY_PIPE_MS), it would wait forever.
    const a = start(["/bin/bash", "-c", "head -c 300000 /dev/zero >&2; head -c 1000000 /dev/zero"]);
    assert.ok(await exitedWithin(a.child.status, 10_000), "the child is still waiting");
    assert.deepEqual(await a.child.status, { code: 0, signal: null });
    await a.child.drained;
    assert.deepEqual([a.out().length, a.err().length], [1000000, 300000]);
  });

  test("a long-running child's output arrives while it runs", async () => {
    let seen: string | null = null;
    const a = start(["/bin/bash", "-c", "echo early; sleep 3"], {
      onOut: (text) => seen ??= text,
    });
    let exited = false;
    void a.child.status.then(() => exited = true);
    for (let i = 0; i < 100 && seen === null; i++) await sleep(20);
    assert.equal(seen, "early\n");
    assert.equal(exited, false);
    Deno.kill(-a.child.pid, "SIGKILL");
    assert.deepEqual(await a.child.status, { code: 0, signal: 9 });
    await a.child.drained;
  });

  test("abandonPipes() right after the start closes both pipes", async () => {
    // Other test modules run in this process too: look for these pipes, not at the count.
    const ours = (pipes: string[]) =>
      [...Deno.readDirSync("/proc/self/fd")].filter((e) => {
        try {
          return pipes.includes(Deno.readLinkSync(`/proc/self/fd/${e.name}`));
        } catch {
          return false; // closed meanwhile
        }
      }).length;
    const a = start(["/bin/bash", "-c", "sleep 0.2; echo lost"]);
    const pipes = [1, 2].map((fd) => Deno.readLinkSync(`/proc/${a.child.pid}/fd/${fd}`));
    assert.equal(ours(pipes), 2, "the read ends are open before");
    a.child.abandonPipes();
    await a.child.drained;
    // Its echo finds the pipe closed: SIGPIPE.
    assert.deepEqual(await a.child.status, { code: 0, signal: 13 });
    assert.equal(a.out(), "");
    assert.equal(ours(pipes), 0);
  });

  test("file action sets are kept and reused: each child still gets its own directory", async () => {
    // More directories than sets are kept (16), twice over: sets are built, reused, evicted.
    const root = Deno.makeTempDirSync();
    try {
      const dirs = Array.from({ length: 20 }, (_, i) => `${root}/d${i}`);
      for (const d of dirs) Deno.mkdirSync(d);
      for (let pass = 0; pass < 2; pass++) {
        for (const d of dirs) {
          const a = start(["/bin/pwd"], { cwd: d });
          assert.deepEqual(await a.child.status, { code: 0, signal: null });
          await a.child.drained;
          assert.equal(a.out(), d + "\n");
        }
      }
    } finally {
      Deno.removeSync(root, { recursive: true });
    }
  });

  test("the environment is read at each start, not when the spawner opened", async () => {
    Deno.env.set("DISBATCH_SPAWNER_TEST", "later");
    try {
      const a = start(["/bin/bash", "-c", 'echo "$DISBATCH_SPAWNER_TEST"']);
      await a.child.status;
      await a.child.drained;
      assert.equal(a.out(), "later\n");
    } finally {
      Deno.env.delete("DISBATCH_SPAWNER_TEST");
    }
  });

  test("baseEnv: inherited, then the base in its order, then new names; env overrides both", async () => {
    Deno.env.set("DISBATCH_SPAWNER_INHERITED", "inherited");
    Deno.env.set("DISBATCH_SPAWNER_B", "inherited-b");
    try {
      const base = { DISBATCH_SPAWNER_B: "base-b", DISBATCH_SPAWNER_A: "base-a" };
      const envOf = async (env: Record<string, string>) => {
        const a = start(["/usr/bin/env"], { baseEnv: base, env });
        await a.child.status;
        await a.child.drained;
        return a.out().split("\n").filter((l) => l.startsWith("DISBATCH_SPAWNER_"));
      };
      // The base wins over the inherited value of a name it lists, keeping the base's order.
      assert.deepEqual(await envOf({ DISBATCH_SPAWNER_C: "c" }), [
        "DISBATCH_SPAWNER_INHERITED=inherited",
        "DISBATCH_SPAWNER_B=base-b",
        "DISBATCH_SPAWNER_A=base-a",
        "DISBATCH_SPAWNER_C=c",
      ]);
      // Same base object again (its encoding is reused): per-spawn values still apply, in place.
      assert.deepEqual(await envOf({ DISBATCH_SPAWNER_A: "task-a" }), [
        "DISBATCH_SPAWNER_INHERITED=inherited",
        "DISBATCH_SPAWNER_B=base-b",
        "DISBATCH_SPAWNER_A=task-a",
      ]);
      // env replacing an inherited name the base does not list: the inherited entry goes.
      assert.deepEqual(await envOf({ DISBATCH_SPAWNER_INHERITED: "task" }), [
        "DISBATCH_SPAWNER_B=base-b",
        "DISBATCH_SPAWNER_A=base-a",
        "DISBATCH_SPAWNER_INHERITED=task",
      ]);
    } finally {
      Deno.env.delete("DISBATCH_SPAWNER_INHERITED");
      Deno.env.delete("DISBATCH_SPAWNER_B");
    }
  });

  test("onDone runs once exited and drained, before status callbacks, and may spawn", async () => {
    const order: string[] = [];
    let second: SessionChild | null = null;
    const { child: first } = start(["/bin/bash", "-c", "(sleep 0.2; echo late) & exit 3"], {
      onOut: (text) => order.push(`first ${text.trim()}`),
      onDone: (s) => {
        order.push(`done ${s.code}`);
        // A spawn from inside the event handler (the engine starts its next task here).
        second = start(["/bin/bash", "-c", "echo next"], {
          onOut: (text) => order.push(`second ${text.trim()}`),
        }).child;
      },
    });
    void first.status.then((s) => order.push(`status ${s.code}`));
    await first.drained;
    assert.notEqual(second, null);
    const next = second as unknown as SessionChild;
    assert.deepEqual(await next.status, { code: 0, signal: null });
    await next.drained;
    // The exit (status) comes first; onDone waits for the background writer to close the pipe.
    assert.deepEqual(order, ["status 3", "first late", "done 3", "second next"]);
  });

  test("a running child holds a pidfd here only in pidfd mode", async () => {
    // Other test modules run in this process too (and Deno's own child handling uses pidfds):
    // count only descriptors that refer to this child (fdinfo's "Pid:" line).
    const pidfdsOf = (pid: number) =>
      [...Deno.readDirSync("/proc/self/fd")].filter((e) => {
        try {
          return Deno.readLinkSync(`/proc/self/fd/${e.name}`) === "anon_inode:[pidfd]" &&
            new RegExp(`^Pid:\\s*${pid}$`, "m").test(
              Deno.readTextFileSync(`/proc/self/fdinfo/${e.name}`),
            );
        } catch {
          return false; // closed meanwhile (the directory's own descriptor, for one)
        }
      }).length;
    const a = start(["/bin/bash", "-c", "sleep 0.3"]);
    assert.equal(pidfdsOf(a.child.pid), mode.startsWith("pidfd") ? 1 : 0);
    assert.deepEqual(await a.child.status, { code: 0, signal: null });
    await a.child.drained;
    assert.equal(pidfdsOf(a.child.pid), 0);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

Deno.test("after a full pipe, the next children's pipes are watched from their start", async () => {
  // The pipe must be full when it is first watched: 20 ms after the spawn, a loaded machine may
  // not have started head yet, and a reader that keeps up never finds the pipe full.
  const spawner = SessionSpawner.open({ lazyPipeMs: 1000 })!;
  const run = async (script: string) => {
    const child = spawner.spawn({
      file: "/bin/bash",
      argv: ["/bin/bash", "-c", script],
      env: {},
      cwd: Deno.cwd(),
      onStdout: () => {},
      onStderr: () => {},
    });
    await child.status;
    await child.drained;
  };
  await run("echo small");
  assert.equal(spawner.eagerSpawnsLeft, 0);
  await run("head -c 1000000 /dev/zero");
  assert.equal(spawner.eagerSpawnsLeft, EAGER_SPAWNS);
  await run("echo small");
  assert.equal(spawner.eagerSpawnsLeft, EAGER_SPAWNS - 1);
  await spawner.idle();
});

Deno.test("a chain of short children, each started from the last one's exit, waited for on the main thread", async () => {
  const spawner = alwaysHere!;
  const before = spawner.waitsHere;
  const codes: number[] = [];
  const all = Promise.withResolvers<void>();
  // Two chains (as an engine with two slots): 0 to 5 and 6 to 11.
  const run = (i: number, last: number): void => {
    spawner.spawn({
      file: "/bin/bash",
      argv: ["/bin/bash", "-c", `echo ${i}; exit ${i}`],
      env: {},
      cwd: Deno.cwd(),
      onStdout: () => {},
      onStderr: () => {},
      onDone: (s) => {
        codes.push(s.code ?? -1);
        if (i < last) run(i + 1, last);
        if (codes.length === 12) all.resolve();
      },
    });
  };
  run(0, 5);
  run(6, 11);
  await all.promise;
  assert.deepEqual(codes.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.ok(spawner.waitsHere > before, "waits ran on the main thread");
  await spawner.idle();
});

Deno.test("a process whose children were waited for on the main thread ends on its own", async () => {
  // The turns between main-thread waits are messages on a port, and an open port keeps a
  // process alive: it must be closed once nothing is watched, in a process with nothing else.
  const script = `
    import { SessionSpawner } from ${
    JSON.stringify(new URL("./session_spawner.ts", import.meta.url).href)
  };
    const spawner = SessionSpawner.open({ hotGapMs: Infinity })!;
    let left = 6;
    const next = () => spawner.spawn({
      file: "/bin/true", argv: ["/bin/true"], env: {}, cwd: Deno.cwd(),
      onStdout: () => {}, onStderr: () => {},
      onDone: () => { if (--left > 0) next(); else console.log("done", spawner.waitsHere > 0); },
    });
    next();
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-lock", script],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const out = await child.output();
  clearTimeout(timer);
  assert.equal(new TextDecoder().decode(out.stderr), "");
  assert.equal(new TextDecoder().decode(out.stdout), "done true\n");
  assert.equal(out.signal, null, "it did not end by itself");
  assert.equal(out.code, 0);
});
