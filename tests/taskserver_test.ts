/**
 * Task server mode under load and with clients coming and going: every submitted task runs
 * exactly once, its result goes to the client that submitted it, and a client that vanishes
 * does not stop the run.
 */
import assert from "node:assert/strict";
import { TaskClient, type TaskResult } from "../src/client/task_client.ts";
import { splitStatus, statusLines } from "./helpers.ts";
import { exists, resultWithin, startDisbatch, waitFor } from "./background_run.ts";
import { withTaskServer } from "./task_server.ts";

/** Submits `count` tasks tagged `tag` in batches; resolves with their ids. */
async function submitTagged(c: TaskClient, tag: string, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let done = 0; done < count; done += 250) {
    const batch = Array.from({ length: 250 }, () => `echo ${tag} $DISBATCH_TASKID`);
    ids.push(...await c.submit(batch));
  }
  return ids;
}

Deno.test("10,000 tasks from two concurrent clients run once, results to their submitter", async () => {
  await withTaskServer({ slots: 4 }, async (server) => {
    const [a, b] = await Promise.all([
      TaskClient.connect(server.prefix),
      TaskClient.connect(server.script),
    ]);
    // A waits for its ids as a whole, B takes results one at a time as they come.
    const [fromA, fromB] = await Promise.all([
      submitTagged(a, "A", 5000).then(async (ids) => ({ ids, results: await a.waitForIds(ids) })),
      submitTagged(b, "B", 5000).then(async (ids) => {
        const results = new Map<number, TaskResult>();
        for (let i = 0; i < ids.length; i++) {
          const r = await b.waitForOne();
          assert.ok(!results.has(r.TaskId), `B got task ${r.TaskId} twice`);
          results.set(r.TaskId, r);
        }
        return { ids, results };
      }),
    ]);
    for (const [tag, got] of [["A", fromA], ["B", fromB]] as const) {
      assert.equal(got.results.size, 5000);
      for (const id of got.ids) {
        const r = got.results.get(id);
        assert.equal(r?.OutData, `${tag} ${id}\n`, `task ${id} of ${tag}: ${JSON.stringify(r)}`);
        assert.equal(r.ReturnCode, 0);
      }
    }
    const all = new Set([...fromA.ids, ...fromB.ids]);
    assert.equal(all.size, 10_000);
    assert.deepEqual([...all].sort((x, y) => x - y), Array.from({ length: 10_000 }, (_, i) => i));

    await b.done();
    await Promise.all([a.close(), b.close()]);
    const end = await resultWithin(server.run, 20_000);
    assert.equal(end.code, 0, end.stderr);
    const lines = await statusLines(server.prefix);
    assert.equal(lines.length, 10_000);
    const ran = new Set(lines.map((l) => splitStatus(l)[1]));
    assert.equal(ran.size, 10_000);
    for (const l of lines) assert.equal(splitStatus(l)[0], " O  ");
  });
});

Deno.test("a client that disconnects mid-stream does not stop the run", async () => {
  await withTaskServer({}, async (server, dir) => {
    // A command-line client waiting for its task's result is killed while the task runs.
    const quitter = startDisbatch(
      ["--submit", server.prefix, "--wait", "touch started; sleep 0.5; echo first"],
      { cwd: dir },
    );
    await waitFor("the first task", () => exists(`${dir}/started`));
    quitter.kill("SIGKILL");
    assert.equal((await quitter.result).code, 137);

    // Another client keeps submitting and finally ends the stream.
    const c = await TaskClient.connect(server.prefix);
    const [id] = await c.submit("echo second");
    assert.equal(id, 1);
    assert.equal((await c.waitForIds([id])).get(id)?.OutData, "second\n");
    await c.done();
    await c.close();

    const end = await resultWithin(server.run, 10_000);
    assert.equal(end.code, 0, end.stderr);
    const lines = (await statusLines(server.prefix)).map(splitStatus);
    assert.deepEqual(
      lines.map((f) => [f[1], f[6], f[11], f[14]]).sort(),
      [
        ["0", "0", "'first\\n'", "touch started; sleep 0.5; echo first"],
        ["1", "0", "'second\\n'", "echo second"],
      ],
    );
  });
});
