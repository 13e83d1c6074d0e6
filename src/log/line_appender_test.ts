import assert from "node:assert/strict";
import { CAN_MOUNT, MOUNT_NOTE, withTmpfs } from "../../tests/fault_mounts.ts";
import { LineAppender } from "./line_appender.ts";
import { RunFileError } from "./run_file_error.ts";

Deno.test("LineAppender: lines are written whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const f = new LineAppender(`${dir}/x`);
    f.append("a\n");
    f.append(new TextEncoder().encode("bc\n"));
    f.close();
    assert.equal(await Deno.readTextFile(`${dir}/x`), "a\nbc\n");
    const g = new LineAppender(`${dir}/x`, false);
    g.append("d\n");
    g.close();
    assert.equal(await Deno.readTextFile(`${dir}/x`), "a\nbc\nd\n", "appended, not truncated");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LineAppender: a file that cannot be opened is a RunFileError naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/x`);
    assert.throws(
      () => new LineAppender(`${dir}/x`),
      (e: unknown) =>
        e instanceof RunFileError && e.path === `${dir}/x` &&
        e.message === `cannot write ${dir}/x: Is a directory (os error 21)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LineAppender: /dev/full gives the OS error, without Deno's path suffix", () => {
  const f = new LineAppender("/dev/full");
  try {
    assert.throws(
      () => f.append("x\n"),
      (e: unknown) =>
        e instanceof RunFileError &&
        e.message === "cannot write /dev/full: No space left on device (os error 28)",
    );
  } finally {
    f.close();
  }
});

Deno.test({
  name: "LineAppender: a disk that fills up mid-line leaves the file at its last whole line",
  ignore: !CAN_MOUNT,
  fn: async () => {
    await withTmpfs(16 * 1024, async ({ dir, resize }) => {
      const path = `${dir}/status`;
      const f = new LineAppender(path);
      // 100-byte lines do not divide the 4096-byte pages: the last write is cut part-way.
      const line = "x".repeat(99) + "\n";
      let written = 0;
      let error: unknown = null;
      try {
        for (; written < 1000; written++) f.append(line);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof RunFileError, String(error));
      assert.match(error.message, /No space left on device \(os error 28\)$/);
      assert.ok(written > 10 && written < 1000, `${written} lines`);
      assert.equal((await Deno.stat(path)).size, written * line.length, "cut back to whole lines");
      // With room again, writing goes on where the whole lines end.
      await resize(64 * 1024);
      f.append("last\n");
      f.close();
      const text = await Deno.readTextFile(path);
      assert.equal(text, line.repeat(written) + "last\n");
    });
  },
});
if (!CAN_MOUNT) console.log(`LineAppender disk-full test: ${MOUNT_NOTE}`);

Deno.test("LineAppender: restoreIfDeleted re-creates a deleted file and writes on there", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const f = new LineAppender(`${dir}/x`);
    f.append("a\n");
    assert.equal(f.restoreIfDeleted(), false, "still there");
    await Deno.remove(`${dir}/x`);
    f.append("b\n");
    assert.equal(f.restoreIfDeleted(), true);
    f.append("c\n");
    f.close();
    assert.equal(await Deno.readTextFile(`${dir}/x`), "a\nb\nc\n");
    const shared = new LineAppender(`${dir}/y`, false);
    await Deno.remove(`${dir}/y`);
    assert.equal(shared.restoreIfDeleted(), false, "a shared log is not copied");
    shared.close();
    const g = new LineAppender(`${dir}/z`);
    await Deno.remove(dir, { recursive: true });
    assert.throws(() => g.restoreIfDeleted(), RunFileError);
    g.close();
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
