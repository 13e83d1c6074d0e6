import assert from "node:assert/strict";
import { ChildEnvironment } from "./child_environment.ts";
import { StringArrayBuilder } from "./c_strings.ts";

const PREFIX = "DISBATCH_CHILD_ENV_";

/** The entries this test set (the rest of the environment is the test runner's). */
function ours(entries: Uint8Array[]): string[] {
  return entries.map((e) => new TextDecoder().decode(e)).filter((e) => e.startsWith(PREFIX));
}

/** Runs `fn` with the given variables set in this process, then removes them. */
function withVars(vars: Record<string, string>, fn: () => void): void {
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    fn();
  } finally {
    for (const k of Object.keys(vars)) Deno.env.delete(k);
  }
}

Deno.test("without a base: this process's environment read now, extra on top", () => {
  const env = new ChildEnvironment();
  withVars({ [`${PREFIX}A`]: "1", [`${PREFIX}B`]: "2" }, () => {
    assert.deepEqual(ours(env.entries(undefined, { [`${PREFIX}B`]: "x", [`${PREFIX}C`]: "y" })), [
      `${PREFIX}A=1`,
      `${PREFIX}B=x`,
      `${PREFIX}C=y`,
    ]);
    Deno.env.set(`${PREFIX}A`, "changed");
    // (Setting a variable may move it within the process's environment: compare as a set.)
    assert.deepEqual(ours(env.entries(undefined, {})).sort(), [
      `${PREFIX}A=changed`,
      `${PREFIX}B=2`,
    ]);
  });
});

Deno.test("with a base: inherited, the base in its order, then new names; extra wins", () => {
  const env = new ChildEnvironment();
  withVars({ [`${PREFIX}IN`]: "in", [`${PREFIX}B`]: "inherited-b" }, () => {
    const base = { [`${PREFIX}B`]: "base-b", [`${PREFIX}A`]: "base-a" };
    assert.deepEqual(ours(env.entries(base, { [`${PREFIX}C`]: "c" })), [
      `${PREFIX}IN=in`,
      `${PREFIX}B=base-b`,
      `${PREFIX}A=base-a`,
      `${PREFIX}C=c`,
    ]);
    // A base value replaced in place.
    assert.deepEqual(ours(env.entries(base, { [`${PREFIX}A`]: "task-a" })), [
      `${PREFIX}IN=in`,
      `${PREFIX}B=base-b`,
      `${PREFIX}A=task-a`,
    ]);
    // An inherited name that the base does not list: its entry goes, the new one comes last.
    assert.deepEqual(ours(env.entries(base, { [`${PREFIX}IN`]: "task" })), [
      `${PREFIX}B=base-b`,
      `${PREFIX}A=base-a`,
      `${PREFIX}IN=task`,
    ]);
  });
});

Deno.test("with a base: the environment as it was at that base object's first use", () => {
  const env = new ChildEnvironment();
  withVars({ [`${PREFIX}LATER`]: "first" }, () => {
    const base = { [`${PREFIX}BASE`]: "b" };
    assert.deepEqual(ours(env.entries(base, {})), [`${PREFIX}LATER=first`, `${PREFIX}BASE=b`]);
    Deno.env.set(`${PREFIX}LATER`, "second");
    assert.deepEqual(ours(env.entries(base, {})), [`${PREFIX}LATER=first`, `${PREFIX}BASE=b`]);
    // Another base object (as another engine cylinder's) sees the environment of now.
    assert.deepEqual(ours(env.entries({ ...base }, {})), [
      `${PREFIX}LATER=second`,
      `${PREFIX}BASE=b`,
    ]);
  });
});

Deno.test("write: the same entries as entries(), laid out by a spawn's StringArrayBuilder", () => {
  const env = new ChildEnvironment();
  withVars({ [`${PREFIX}IN`]: "in" }, () => {
    const base = { [`${PREFIX}B`]: "base-b", [`${PREFIX}A`]: "" };
    const builder = new StringArrayBuilder();
    const extras: Record<string, string>[] = [{}, { [`${PREFIX}A`]: "tâche" }, {
      [`${PREFIX}IN`]: "x",
      [`${PREFIX}Z`]: "z",
    }];
    for (const extra of extras) {
      builder.begin();
      env.write(base, extra, builder);
      const words = new BigUint64Array(builder.end().buffer);
      const got: string[] = [];
      for (let i = 0; words[i] !== 0n; i++) {
        const view = new Deno.UnsafePointerView(Deno.UnsafePointer.create(words[i])!);
        got.push(view.getCString());
      }
      const want = env.entries(base, extra).map((e) => new TextDecoder().decode(e));
      assert.deepEqual(got, want);
      assert.ok(want.some((e) => e.startsWith(PREFIX)));
    }
  });
});
