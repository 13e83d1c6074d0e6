import assert from "node:assert/strict";
import { recreateDeleted } from "./recreate_deleted.ts";

const enc = new TextEncoder();

async function inTemp(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "recreate-deleted-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function openRw(path: string): Deno.FsFile {
  return Deno.openSync(path, { read: true, write: true, create: true, truncate: true });
}

Deno.test("recreateDeleted leaves a file that still has its name alone", async () => {
  await inTemp((dir) => {
    const f = openRw(`${dir}/s`);
    f.writeSync(enc.encode("a\n"));
    assert.equal(recreateDeleted(f, `${dir}/s`, 2), null);
    f.close();
  });
});

Deno.test("recreateDeleted copies every line, those after the deletion too, and goes on there", async () => {
  await inTemp((dir) => {
    const path = `${dir}/s`;
    const f = openRw(path);
    f.writeSync(enc.encode("one\n"));
    Deno.removeSync(path);
    f.writeSync(enc.encode("two\n"));
    // Bigger than one copy chunk, to cover the loop.
    const big = "x".repeat(3 << 20) + "\n";
    f.writeSync(enc.encode(big));
    const length = 8 + big.length;
    const g = recreateDeleted(f, path, length);
    assert.ok(g);
    f.close();
    g.writeSync(enc.encode("three\n"));
    g.close();
    assert.equal(Deno.readTextFileSync(path), `one\ntwo\n${big}three\n`);
  });
});

Deno.test("recreateDeleted does not overwrite a file someone else put at the path", async () => {
  await inTemp((dir) => {
    const path = `${dir}/s`;
    const f = openRw(path);
    f.writeSync(enc.encode("ours\n"));
    Deno.removeSync(path);
    Deno.writeTextFileSync(path, "theirs\n");
    assert.throws(() => recreateDeleted(f, path, 5), Deno.errors.AlreadyExists);
    f.close();
    assert.equal(Deno.readTextFileSync(path), "theirs\n");
  });
});

Deno.test("recreateDeleted throws when the directory is gone too", async () => {
  await inTemp((dir) => {
    Deno.mkdirSync(`${dir}/run`);
    const path = `${dir}/run/s`;
    const f = openRw(path);
    f.writeSync(enc.encode("a\n"));
    Deno.removeSync(`${dir}/run`, { recursive: true });
    assert.throws(() => recreateDeleted(f, path, 2), Deno.errors.NotFound);
    f.close();
  });
});
