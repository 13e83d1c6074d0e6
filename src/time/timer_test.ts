import assert from "node:assert/strict";
import { after, every } from "./timer.ts";
import { exitedWithin } from "./exited_within.ts";

/** Resolves after `ms` on a plain timer (the test's own clock). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ok()` holds, for at most 5 s (a loaded machine may be slow, never wrong). */
async function until(ok: () => boolean): Promise<void> {
  for (const end = Date.now() + 5_000; !ok();) {
    assert.ok(Date.now() < end, "timed out");
    await sleep(5);
  }
}

Deno.test("after: runs once when due, never once cancelled", async () => {
  const runs: string[] = [];
  const t0 = performance.now();
  let at = 0;
  after(30, () => {
    runs.push("a");
    at = performance.now() - t0;
  });
  const b = after(30, () => runs.push("b"));
  b.cancel();
  b.cancel();
  await until(() => runs.length > 0);
  assert.ok(at >= 29, `ran after ${at} ms`);
  await sleep(60);
  assert.deepEqual(runs, ["a"]);
});

Deno.test("after: a delay beyond 24.8 days does not fire at once (the runtime takes it as 1 ms)", async () => {
  let ran = false;
  const t = after(2 ** 31 + 1_000, () => ran = true);
  await sleep(60);
  assert.equal(ran, false);
  t.cancel();
});

Deno.test("every: repeats until cancelled, also from inside its callback", async () => {
  let n = 0;
  const t = every(10, () => {
    n++;
    if (n === 3) t.cancel();
  });
  await until(() => n === 3);
  await sleep(60);
  assert.equal(n, 3);
  let m = 0;
  const u = every(10, () => m++);
  await until(() => m >= 2);
  u.cancel();
  const seen = m;
  await sleep(60);
  assert.equal(m, seen);
});

/** Runs `code` (importing this directory's timer.ts) in a fresh process; its exit status. */
function runScript(code: string): Deno.ChildProcess {
  const url = new URL("./timer.ts", import.meta.url).href;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { after, every } from "${url}";\n${code}`],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

Deno.test("after, every: a cancelled timer does not keep the process alive; a pending one does", async () => {
  // Cancelled 60 s timers (one-shot, long-delay, repeating): the process ends at once.
  const quick = runScript(
    "after(60_000, () => {}).cancel(); after(2 ** 31 + 1_000, () => {}).cancel(); every(60_000, () => {}).cancel();",
  );
  const exited = await exitedWithin(quick.status, 3_000);
  if (!exited) quick.kill("SIGKILL");
  assert.equal(exited, true, "cancelled timers held the process");
  assert.equal((await quick.status).code, 0);
  // A pending timer runs: the process waits for it.
  const held = runScript("after(300, () => Deno.exit(7));");
  assert.equal((await held.status).code, 7);
});
