import assert from "node:assert/strict";
import { parseSubmitArgs } from "./submit_main.ts";

Deno.test("--submit arguments: lines, a file or stdin, --wait and --end", () => {
  const base = { target: "P", wait: false, end: false, file: null, lines: [] };
  assert.deepEqual(parseSubmitArgs(["P", "echo a", "echo b"]), {
    ...base,
    lines: ["echo a", "echo b"],
  });
  assert.deepEqual(parseSubmitArgs(["--wait", "P", "--end", "-"]), {
    ...base,
    wait: true,
    end: true,
    file: "-",
  });
  assert.deepEqual(parseSubmitArgs(["P", "--file=T"]), { ...base, file: "T" });
  assert.deepEqual(parseSubmitArgs(["P", "--file", "T", "--end"]), {
    ...base,
    file: "T",
    end: true,
  });
  assert.deepEqual(parseSubmitArgs(["P", "--end"]), { ...base, end: true });
  // After `--`, everything is a line, even "-" and option look-alikes.
  assert.deepEqual(parseSubmitArgs(["P", "--", "--wait", "-"]), {
    ...base,
    lines: ["--wait", "-"],
  });
});

Deno.test("--submit argument errors", () => {
  assert.match(parseSubmitArgs([]) as string, /missing/);
  assert.match(parseSubmitArgs(["P"]) as string, /nothing to submit/);
  assert.match(parseSubmitArgs(["P", "--wait", "--end"]) as string, /--wait needs lines/);
  assert.match(parseSubmitArgs(["P", "--file", "T", "echo"]) as string, /either/);
  assert.match(parseSubmitArgs(["P", "--file", "T", "-"]) as string, /only one/);
  assert.match(parseSubmitArgs(["P", "--file"]) as string, /needs a file/);
  assert.match(parseSubmitArgs(["P", "--bogus"]) as string, /unknown option --bogus/);
});
