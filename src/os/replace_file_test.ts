import assert from "node:assert/strict";
import { replaceFileSync } from "./replace_file.ts";

Deno.test("replaceFileSync: the new text with the mode, nothing left beside it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/f`;
    Deno.writeTextFileSync(path, "old\n");
    replaceFileSync(path, "new\n", 0o600);
    assert.equal(Deno.readTextFileSync(path), "new\n");
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["f"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("replaceFileSync: a failure throws and leaves the old file and no copy", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/f`;
    Deno.writeTextFileSync(path, "old\n");
    // A directory under the final name: the rename fails after the copy was written.
    Deno.mkdirSync(`${dir}/d`);
    Deno.writeTextFileSync(`${dir}/d/x`, "");
    assert.throws(() => replaceFileSync(`${dir}/d`, "new\n", 0o600));
    assert.equal(Deno.readTextFileSync(path), "old\n");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["d", "f"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
