import assert from "node:assert/strict";
import * as node from "node:path";
import { basename, dirname, resolve } from "./posix_path.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/",
  "a//",
  "/a",
  "/a/",
  "a/b",
  "a/b/",
  "a//b//",
  "/a/b/c",
  "./a/../b",
  "../../x",
  "/../x",
  "a/./b/./",
  "Tasks<",
  "dir/<Tasks>",
  "with space/and\ttab",
];

Deno.test("basename and dirname agree with node:path", () => {
  for (const p of PATHS) {
    assert.equal(basename(p), node.posix.basename(p), `basename(${JSON.stringify(p)})`);
    assert.equal(dirname(p), node.posix.dirname(p), `dirname(${JSON.stringify(p)})`);
  }
});

Deno.test("resolve agrees with node:path", () => {
  for (const p of PATHS) {
    assert.equal(resolve(p), node.posix.resolve(p), `resolve(${JSON.stringify(p)})`);
    assert.equal(resolve("/base/dir", p), node.posix.resolve("/base/dir", p));
    assert.equal(resolve(p, "x/y"), node.posix.resolve(p, "x/y"));
    assert.equal(resolve(p, "/abs"), "/abs");
  }
});
