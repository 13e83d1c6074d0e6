/**
 * Task server mode: submissions use the whole task-file language (ids and status lines as for
 * a file), a bad directive is refused without harming the run, and `disbatch --submit` works
 * from arguments and stdin.
 */
import assert from "node:assert/strict";
import {
  RunNotFoundError,
  SubmitRejectedError,
  TaskClient,
  TaskClientError,
} from "../src/client/task_client.ts";
import { disbatch, project, splitStatus, statusLines } from "./helpers.ts";
import { disbatchPromptly, resultPromptly, resultWithin, startProgram } from "./background_run.ts";
import { withTaskServer } from "./task_server.ts";
import { MAX_COMMAND_BYTES } from "../src/taskfile/task_item.ts";

Deno.test("REPEAT, BARRIER, PREFIX and multi-line values in submissions", async () => {
  await withTaskServer({ slots: 3 }, async (server) => {
    const c = await TaskClient.connect(server.prefix);
    const ids = await c.submit([
      "sleep 0.3; echo slow",
      "#DISBATCH REPEAT 3 start 10 step 5 echo r $DISBATCH_REPEAT_INDEX",
      "#DISBATCH BARRIER",
      "#DISBATCH PREFIX echo pre-",
      "after",
      "# a comment\necho x\necho y",
    ]);
    // The REPEAT's ids are reserved at once; the barrier takes one; directives none.
    assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
    const normal = [0, 1, 2, 3, 5, 6, 7];
    const r = await c.waitForIds(normal);
    const barrier = (await c.waitForIds([4])).get(4)!;
    assert.deepEqual([barrier.Flags, barrier.TaskStreamIndex, barrier.TaskCmd], [
      "B    ",
      3,
      "#DISBATCH BARRIER",
    ]);
    assert.deepEqual(
      normal.map((id) => [r.get(id)!.OutData, r.get(id)!.TaskStreamIndex, r.get(id)!.TaskRepIndex]),
      [
        ["slow\n", 1, -1],
        ["r 10\n", 2, 10],
        ["r 15\n", 2, 15],
        ["r 20\n", 2, 20],
        ["pre-after\n", 5, -1],
        ["pre-echo x\n", 6, -1],
        ["pre-echo y\n", 6, -1],
      ],
    );
    // Nothing after the barrier started before everything before it had finished.
    const beforeEnd = Math.max(...[0, 1, 2, 3].map((id) => r.get(id)!.End));
    for (const id of [5, 6, 7]) assert.ok(r.get(id)!.Start >= beforeEnd, `task ${id}`);
    await c.done();
    await c.close();
    const end = await resultWithin(server.run, 10_000);
    assert.equal(end.code, 0, end.stderr);
    assert.deepEqual((await statusLines(server.prefix)).map(project).sort(), [
      " O  |0|1|-1|0|5|'slow\\n'|0|''|sleep 0.3; echo slow",
      " O  |1|2|10|0|5|'r 10\\n'|0|''|echo r $DISBATCH_REPEAT_INDEX",
      " O  |2|2|15|0|5|'r 15\\n'|0|''|echo r $DISBATCH_REPEAT_INDEX",
      " O  |3|2|20|0|5|'r 20\\n'|0|''|echo r $DISBATCH_REPEAT_INDEX",
      " O  |5|5|-1|0|10|'pre-after\\n'|0|''|echo pre-after",
      " O  |6|6|-1|0|11|'pre-echo x\\n'|0|''|echo pre-echo x",
      " O  |7|6|-1|0|11|'pre-echo y\\n'|0|''|echo pre-echo y",
      "B    |4|3|-1|0|0|''|0|''|#DISBATCH BARRIER",
    ]);
  });
});

Deno.test("a bad directive or an over-long task is refused; what came before runs, the run goes on", async () => {
  await withTaskServer({}, async (server) => {
    const c = await TaskClient.connect(server.prefix);
    const refused = await c.submit(["echo ok", "#DISBATCH BOGUS", "echo skipped"]).then(
      () => assert.fail("accepted a bad directive"),
      (e) => e,
    );
    assert.ok(refused instanceof SubmitRejectedError);
    assert.match(refused.message, /^<stream>:2: .*#DISBATCH BOGUS/);
    assert.deepEqual(refused.accepted, [0]);
    // So is a task too long to send to an engine; neither takes a task id.
    const big = `echo ${"x".repeat(MAX_COMMAND_BYTES)}`;
    await assert.rejects(c.submit(big), (e) => {
      assert.ok(e instanceof SubmitRejectedError);
      assert.equal(
        e.message,
        `<stream>:3: task of ${big.length} bytes (with PREFIX and SUFFIX) exceeds the limit of ` +
          `${MAX_COMMAND_BYTES} bytes`,
      );
      return true;
    });
    const [later] = await c.submit("echo later");
    assert.equal(later, 1);
    const r = await c.waitForIds([0, later]);
    assert.deepEqual([r.get(0)!.OutData, r.get(1)!.OutData], ["ok\n", "later\n"]);

    // Waiting for what this client cannot get is an error, not a hang.
    await assert.rejects(c.waitForIds([0]), TaskClientError); // already taken
    await assert.rejects(c.waitForIds([99]), TaskClientError); // never submitted
    await assert.rejects(c.waitForOne(), TaskClientError); // nothing pending

    await c.done();
    // Refused (stream ended) or, if the run has already finished by then, the run ended.
    await assert.rejects(c.submit("echo too late"), TaskClientError);
    await c.close();
    const end = await resultWithin(server.run, 10_000);
    assert.equal(end.code, 0, end.stderr);
    assert.deepEqual((await statusLines(server.prefix)).map(project).sort(), [
      " O  |0|1|-1|0|3|'ok\\n'|0|''|echo ok",
      " O  |1|4|-1|0|6|'later\\n'|0|''|echo later",
    ]);
    await assert.rejects(TaskClient.connect(server.prefix), RunNotFoundError);
  });
});

Deno.test("disbatch --submit: arguments, stdin, --wait, --end", async () => {
  await withTaskServer({}, async (server, dir) => {
    const p = server.prefix;
    // Each command exits as soon as it has printed (disbatchPromptly checks).
    const args = await disbatchPromptly(["--submit", p, "echo a", "#DISBATCH REPEAT 2 echo r"], {
      cwd: dir,
    });
    assert.deepEqual([args.code, args.stdout, args.stderr], [0, "0\n1\n2\n", ""]);

    const waited = await disbatchPromptly(["--submit", server.script, "--wait", "-"], {
      cwd: dir,
      input: "echo from-stdin\nexit 4\n",
    });
    assert.equal(waited.code, 1, waited.stderr);
    const results = waited.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      results.map((r) => [r.TaskId, r.ReturnCode, r.OutData]).sort(),
      [[3, 0, "from-stdin\n"], [4, 4, ""]],
    );

    const bad = await disbatch(["--submit", p, "echo fine", "#DISBATCH NOPE"], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, "5\n");
    assert.match(bad.stderr, /NOPE/);

    const usage = await disbatch(["--submit", p], { cwd: dir });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /nothing to submit/);
    const missing = await disbatch(["--submit", `${dir}/nope`, "echo x"], { cwd: dir });
    assert.equal(missing.code, 2);

    // --end prints nothing: it must exit as soon as the run it ended has.
    const ended = await disbatchPromptly(["--submit", p, "--end"], {
      cwd: dir,
      done: server.run.result,
    });
    assert.deepEqual([ended.code, ended.stdout, ended.stderr], [0, "", ""]);
    const end = await resultWithin(server.run, 10_000);
    assert.equal(end.code, 0, end.stderr);
    const lines = await statusLines(p);
    assert.equal(lines.length, 6);
    // --wait printed each Elapsed as the status file shows it (no 0.006999969482421875).
    for (const r of results) {
      const line = lines.map(splitStatus).find((f) => f[1] === String(r.TaskId))!;
      assert.equal(r.Elapsed, Number(line[7]), JSON.stringify(r));
    }
    assert.doesNotMatch(waited.stdout, /"Elapsed":\d+\.\d{4}/);
    const after = await disbatch(["--submit", p, "echo x"], { cwd: dir });
    assert.equal(after.code, 1);
    assert.match(after.stderr, /has ended/);
  });
});

Deno.test("a TaskClient program (the README's example) exits as soon as it is done", async () => {
  await withTaskServer({}, async (server, dir) => {
    const client = new URL("../src/client/task_client.ts", import.meta.url).href;
    const program = startProgram(Deno.execPath(), [
      "eval",
      `import { TaskClient } from "${client}";
const client = await TaskClient.connect(${JSON.stringify(server.prefix)});
const ids = await client.submit(["echo a", "exit 3"]);
await client.done();
const results = await client.waitForIds(ids);
await client.close();
console.log([...results].map(([id, r]) => id + " " + r.ReturnCode + " " + r.OutData.trim()).join("\\n"));`,
    ], { cwd: dir });
    const r = await resultPromptly(program, program.printed);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "0 0 a\n1 3 \n", ""]);
    assert.equal((await resultWithin(server.run, 10_000)).code, 0);
  });
});
