/**
 * The Python client of docs/protocol.md, extracted from the page and run with python3 against
 * a real task server: it must print exactly what the page shows.
 */
import assert from "node:assert/strict";
import { commandWorks, ROOT } from "./helpers.ts";
import { resultWithin } from "./background_run.ts";
import { withTaskServer } from "./task_server.ts";

/** The first ```python block of the page, and the first ```text block after it. */
async function documentedExample(): Promise<{ program: string; output: string }> {
  const page = await Deno.readTextFile(`${ROOT}/docs/protocol.md`);
  const program = page.match(/^```python\n([\s\S]*?)^```$/m);
  if (!program) throw new Error("docs/protocol.md has no python block");
  const rest = page.slice(program.index! + program[0].length);
  const output = rest.match(/^```text\n([\s\S]*?)^```$/m);
  if (!output) throw new Error("docs/protocol.md shows no output after its python block");
  return { program: program[1], output: output[1] };
}

Deno.test("the Python client of docs/protocol.md works as shown", async () => {
  if (!(await commandWorks("python3", ["--version"]))) {
    console.warn("SKIPPED: python3 is not installed; the documented Python client was not run");
    return;
  }
  const { program, output } = await documentedExample();
  await withTaskServer({ name: "demo" }, async (server, dir) => {
    await Deno.writeTextFile(`${dir}/submit_tasks.py`, program);
    const py = await new Deno.Command("python3", {
      args: ["submit_tasks.py", server.script],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assert.equal(py.code, 0, dec.decode(py.stderr));
    assert.equal(dec.decode(py.stdout), output);
    const end = await resultWithin(server.run, 10_000);
    assert.equal(end.code, 0, end.stderr);
  });
});
