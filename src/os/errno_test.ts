import assert from "node:assert/strict";
import { ERRNO, errnoOf, errnoOfCode, fileErrorOf, isOutOfDescriptors } from "./errno.ts";

Deno.test("errnoOfCode: listed names give their number, anything else null", () => {
  assert.equal(errnoOfCode("ENOENT"), 2);
  assert.equal(errnoOfCode("EMFILE"), 24);
  assert.equal(errnoOfCode("EWHATEVER"), null);
  assert.equal(errnoOfCode("toString"), null);
  assert.equal(errnoOfCode(undefined), null);
});

Deno.test("errnoOf: the message's os error number first, then the code", () => {
  assert.equal(errnoOf(new Error("Too many open files (os error 24)")), 24);
  assert.equal(errnoOf(Object.assign(new Error("refused"), { code: "EACCES" })), 13);
  assert.equal(errnoOf(new Error("no number here")), null);
  assert.equal(errnoOf("(os error 7)"), 7);
  assert.equal(errnoOf(null), null);
});

Deno.test("isOutOfDescriptors: EMFILE and ENFILE only, from a real exhausted limit too", async () => {
  assert.ok(isOutOfDescriptors(Object.assign(new Error("x"), { code: "EMFILE" })));
  assert.ok(isOutOfDescriptors(new Error("File table overflow (os error 23)")));
  assert.ok(!isOutOfDescriptors(new Error("Connection reset (os error 104)")));
  assert.ok(!isOutOfDescriptors(undefined));
  // The error Deno really throws: open files in a child whose limit is 64 descriptors.
  const script = `const f = [];
try { for (;;) f.push(Deno.openSync("/dev/null")); }
catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const out = await new Deno.Command("prlimit", {
    args: ["--nofile=64:64", Deno.execPath(), "eval", script],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const thrown = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.ok(isOutOfDescriptors(Object.assign(new Error(thrown.message), { code: thrown.code })));
  assert.equal(errnoOf(Object.assign(new Error(thrown.message), thrown)), ERRNO.EMFILE);
});

Deno.test("fileErrorOf: Deno's file error classes as errno and glibc's text", async () => {
  let notFound: unknown;
  try {
    await Deno.readFile("/nonexistent/disbatch-errno-test");
  } catch (e) {
    notFound = e;
  }
  assert.deepEqual(fileErrorOf(notFound), { errno: 2, text: "No such file or directory" });
  assert.deepEqual(fileErrorOf(new Deno.errors.PermissionDenied("x")), {
    errno: 13,
    text: "Permission denied",
  });
  assert.deepEqual(fileErrorOf(new Deno.errors.NotADirectory("x")), {
    errno: 20,
    text: "Not a directory",
  });
  assert.deepEqual(fileErrorOf(new Deno.errors.IsADirectory("x")), {
    errno: 21,
    text: "Is a directory",
  });
  assert.equal(fileErrorOf(new Error("boom")), null);
  assert.equal(fileErrorOf("NotFound"), null);
});
