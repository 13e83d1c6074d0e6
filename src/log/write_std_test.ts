import assert from "node:assert/strict";
import { isStreamGone, writeStd } from "./write_std.ts";
import { writeAllSync } from "./write_all_sync.ts";

/** The write end of a FIFO whose reader has closed it: writes fail with EPIPE. */
async function brokenPipe(dir: string): Promise<Deno.FsFile> {
  const fifo = `${dir}/fifo`;
  const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(mk.success);
  // Each open waits for the other end, so both are opened at once.
  const [r, w] = await Promise.all([
    Deno.open(fifo, { read: true }),
    Deno.open(fifo, { write: true }),
  ]);
  r.close();
  return w;
}

Deno.test("writeStd drops writes to a pipe nobody reads; writeAllSync throws EPIPE", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = await brokenPipe(dir);
    try {
      let thrown: unknown = null;
      try {
        writeAllSync(w, "x\n");
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown instanceof Deno.errors.BrokenPipe, String(thrown));
      assert.ok(isStreamGone(thrown));
      writeStd(w, "dropped\n".repeat(10_000));
    } finally {
      w.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeStd passes other failures on (a full disk is not a gone reader)", () => {
  const full = Deno.openSync("/dev/full", { write: true });
  try {
    assert.throws(() => writeStd(full, "x\n"), /No space left on device/);
  } finally {
    full.close();
  }
  assert.ok(isStreamGone(Object.assign(new Error("Input/output error"), { code: "EIO" })));
  assert.ok(!isStreamGone(new TypeError("bad")));
});
