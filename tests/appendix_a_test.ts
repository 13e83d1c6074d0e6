/**
 * The original's recorded status files (spec appendix A1–A16, A20), reproduced by running the
 * real program; volatile fields (node, PID, times) are projected away.
 */
import assert from "node:assert/strict";
import {
  disbatch,
  latin1,
  listDir,
  sortedProjection,
  sortProjected,
  splitStatus,
  statusLines,
  withTempDir,
  writeTasks,
} from "./helpers.ts";

interface Case {
  name: string;
  args: string[];
  /** Task file bytes, as a latin-1 string (each char one byte). */
  tasks: string;
  /** Projected lines, sorted by (id, flags). */
  want: string[];
  code?: number;
}

const HOST = Deno.hostname();

async function runCase(c: Case): Promise<string[]> {
  return await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, latin1(c.tasks));
    const r = await disbatch([...c.args, "-p", `${dir}/run`, "Tasks"], { cwd: dir });
    assert.equal(r.code, c.code ?? 0, `${c.name}: exit code; stderr: ${r.stderr}`);
    const lines = await statusLines(`${dir}/run`);
    assert.deepEqual(sortedProjection(lines), sortProjected(c.want), c.name);
    for (const l of lines) {
      const f = splitStatus(l);
      if (!f[0].startsWith("B") && !f[0].startsWith("C")) assert.equal(f[4], HOST, "node field");
    }
    return lines;
  });
}

Deno.test("A1 basic flags", async () => {
  await runCase({
    name: "A1",
    args: ["-s", "localhost:2"],
    tasks: "echo hello\necho err >&2\nexit 3\n",
    want: [
      " O  |0|1|-1|0|6|'hello\\n'|0|''|echo hello",
      "  E |1|2|-1|0|0|''|4|'err\\n'|echo err >&2",
      "R   |2|3|-1|3|0|''|0|''|exit 3",
    ],
  });
});

Deno.test("A2 grammar (lenient directives, as the original)", async () => {
  const tasks = [
    "# comment",
    "",
    "   ",
    "  # indented comment",
    "  echo lead; echo trail  ",
    "#DISBATCH PREFIX echo P1 ",
    "a",
    "#DISBATCH SUFFIX  S1",
    "b",
    "#DISBATCH SUFFIX ",
    "c",
    "#DISBATCH PREFIX",
    "d",
    "#disbatch barrier",
    "#DISBATCH barrier",
    "#DISBATCHX foo",
    "#DISBATCH FOO bar",
    "  #DISBATCH BARRIER",
    "#DISBATCH prefix echo lower ",
    "e",
    "#DISBATCH REPEAT 2",
    "#DISBATCH REPEAT 2 start 5 step 10 X",
    "#DISBATCH repeat 1 START 3 x",
    "#DISBATCH REPEAT 2 step 2 start 5 y",
    "#DISBATCH REPEAT 3echo",
    "#DISBATCH REPEAT -1 z",
    "#DISBATCH REPEAT 1  twospace  ",
    "tab\there",
  ].join("\n") + "\n";
  await runCase({
    name: "A2",
    args: ["-s", "localhost:3", "--lenient-directives"],
    tasks,
    want: [
      " O  |0|5|-1|0|11|'lead\\ntrail\\n'|0|''|  echo lead; echo trail  ",
      " O  |1|7|-1|0|5|'P1 a\\n'|0|''|echo P1 a",
      " O  |2|9|-1|0|8|'P1 b S1\\n'|0|''|echo P1 b S1",
      " O  |3|11|-1|0|5|'P1 c\\n'|0|''|echo P1 c",
      " O  |4|13|-1|0|5|'P1 d\\n'|0|''|echo P1 d",
      " O  |5|16|-1|0|3|'P1\\n'|0|''|echo P1 #DISBATCHX foo",
      " O  |6|20|-1|0|8|'lower e\\n'|0|''|echo lower e",
      " O  |7|21|0|0|6|'lower\\n'|0|''|echo lower ",
      " O  |8|21|1|0|6|'lower\\n'|0|''|echo lower ",
      " O  |9|22|5|0|8|'lower X\\n'|0|''|echo lower X",
      " O  |10|22|15|0|8|'lower X\\n'|0|''|echo lower X",
      " O  |11|23|3|0|8|'lower x\\n'|0|''|echo lower x",
      " O  |12|24|0|0|16|'lower start 5 y\\n'|0|''|echo lower start 5 y",
      " O  |13|24|2|0|16|'lower start 5 y\\n'|0|''|echo lower start 5 y",
      " O  |14|27|0|0|15|'lower twospace\\n'|0|''|echo lower  twospace  ",
      " O  |15|28|-1|0|15|'lower tab here\\n'|0|''|echo lower tab\there",
    ],
  });
});

Deno.test("A3 per-engine tasks, with START lines first and the STOP line last", async () => {
  const lines = await runCase({
    name: "A3",
    args: ["-s", "localhost:2"],
    tasks: [
      "#DISBATCH PREFIX echo pre ",
      "#DISBATCH PERENGINE START start1 $DISBATCH_ENGINE_RANK $DISBATCH_CYLINDER_RANK $DISBATCH_TASKID $DISBATCH_STREAM_INDEX",
      "#DISBATCH PERENGINE STOP stop1",
      "#DISBATCH PERENGINE START start2",
      "#DISBATCH PREFIX ",
      "echo t0",
      "echo t1",
    ].join("\n") + "\n",
    want: [
      " O P|0|2|-1|0|20|'pre start1 0 -1 0 2\\n'|0|''|echo pre start1 $DISBATCH_ENGINE_RANK $DISBATCH_CYLINDER_RANK $DISBATCH_TASKID $DISBATCH_STREAM_INDEX",
      " O P|0|3|-1|0|10|'pre stop1\\n'|0|''|echo pre stop1",
      " O  |0|6|-1|0|3|'t0\\n'|0|''|echo t0",
      " O P|1|4|-1|0|11|'pre start2\\n'|0|''|echo pre start2",
      " O  |1|7|-1|0|3|'t1\\n'|0|''|echo t1",
    ],
  });
  const kinds = lines.map((l) => l.split("\t")[0] + l.split("\t")[2]);
  assert.deepEqual(kinds.slice(0, 2), [" O P2", " O P4"]);
  assert.equal(kinds[4], " O P3");
});

Deno.test("A4 failing per-engine task (and -e makes it exit 1)", async () => {
  const c: Case = {
    name: "A4",
    args: ["-s", "localhost:2"],
    tasks: "#DISBATCH PERENGINE START exit 3\necho t1\n",
    want: [
      "R  P|0|1|-1|3|0|''|0|''|exit 3",
      " O  |0|2|-1|0|3|'t1\\n'|0|''|echo t1",
    ],
  };
  await runCase(c);
  await runCase({ ...c, args: [...c.args, "-e"], code: 1 });
});

Deno.test("A5 barriers with keys: ordering around barrier lines", async () => {
  const lines = await runCase({
    name: "A5",
    args: ["-s", "localhost:2"],
    tasks: [
      "sleep 1; echo a",
      "echo b",
      "#DISBATCH BARRIER",
      "echo c",
      "#DISBATCH BARRIER mykey",
      "echo e",
      "#DISBATCH BARRIER CHECK",
      "#DISBATCH BARRIER CHECK key2",
      "echo d",
    ].join("\n") + "\n",
    want: [
      " O  |0|1|-1|0|2|'a\\n'|0|''|sleep 1; echo a",
      " O  |1|2|-1|0|2|'b\\n'|0|''|echo b",
      "B    |2|3|-1|0|0|''|0|''|#DISBATCH BARRIER",
      " O  |3|4|-1|0|2|'c\\n'|0|''|echo c",
      "B    |4|5|-1|0|0|''|0|''|#DISBATCH BARRIER mykey",
      " O  |5|6|-1|0|2|'e\\n'|0|''|echo e",
      "C    |6|7|-1|0|0|''|0|''|#DISBATCH BARRIER CHECK",
      "C    |7|8|-1|0|0|''|0|''|#DISBATCH BARRIER CHECK key2",
      " O  |8|9|-1|0|2|'d\\n'|0|''|echo d",
    ],
  });
  const ids = lines.map((l) => Number(l.split("\t")[1]));
  const barrierAt = (id: number) => ids.indexOf(id);
  for (const b of [2, 4, 6, 7]) {
    ids.forEach((id, i) => {
      if (id < b) assert.ok(i < barrierAt(b), `id ${id} before barrier ${b}`);
      if (id > b) assert.ok(i > barrierAt(b), `id ${id} after barrier ${b}`);
    });
  }
  const barrier = splitStatus(lines[barrierAt(2)]);
  assert.equal(barrier[4], HOST);
});

Deno.test("A6 barrier regex edges and empty REPEAT commands", async () => {
  await runCase({
    name: "A6",
    args: ["-s", "localhost:1"],
    tasks: [
      "echo a",
      "#DISBATCH BARRIERfoo",
      "#DISBATCH BARRIER CHECKfoo",
      "#DISBATCH BARRIER  twosp",
      "#DISBATCH BARRIER CHECK",
      "#DISBATCH BARRIER check lower",
      "#DISBATCH REPEAT 0",
      "#DISBATCH REPEAT 2 start 3",
    ].join("\n") + "\n",
    want: [
      " O  |0|1|-1|0|2|'a\\n'|0|''|echo a",
      "B    |1|2|-1|0|0|''|0|''|#DISBATCH BARRIERfoo",
      "C    |2|3|-1|0|0|''|0|''|#DISBATCH BARRIER CHECKfoo",
      "B    |3|4|-1|0|0|''|0|''|#DISBATCH BARRIER  twosp",
      "C    |4|5|-1|0|0|''|0|''|#DISBATCH BARRIER CHECK",
      "B    |5|6|-1|0|0|''|0|''|#DISBATCH BARRIER check lower",
      "    |6|8|3|0|0|''|0|''|",
      "    |7|8|4|0|0|''|0|''|",
    ],
  });
});

Deno.test("A7 BARRIER CHECK failure stops the run with exit 1 and a message", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      "echo a\nexit 3\nsleep 0.5\n#DISBATCH BARRIER CHECK\ntouch AFTER\n",
    );
    const r = await disbatch(["-s", "localhost:2", "-p", `${dir}/run`, "Tasks"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /BARRIER CHECK at line 4 \(task 3\) failed: task 1 \(line 2\)/);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      " O  |0|1|-1|0|2|'a\\n'|0|''|echo a",
      "R   |1|2|-1|3|0|''|0|''|exit 3",
      "    |2|3|-1|0|0|''|0|''|sleep 0.5",
      "C    |3|4|-1|0|0|''|0|''|#DISBATCH BARRIER CHECK",
    ]);
    assert.ok(!(await listDir(dir)).includes("AFTER"));
  });
});

Deno.test("A8 a plain BARRIER resets the CHECK failure memory", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(
      `${dir}/Tasks`,
      "exit 3\n#DISBATCH BARRIER\necho x\n#DISBATCH BARRIER CHECK\ntouch AFTER\n",
    );
    const r = await disbatch(["-s", "localhost:2", "-p", `${dir}/run`, "Tasks"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      "R   |0|1|-1|3|0|''|0|''|exit 3",
      "B    |1|2|-1|0|0|''|0|''|#DISBATCH BARRIER",
      " O  |2|3|-1|0|2|'x\\n'|0|''|echo x",
      "C    |3|4|-1|0|0|''|0|''|#DISBATCH BARRIER CHECK",
      "    |4|5|-1|0|0|''|0|''|touch AFTER",
    ]);
    assert.ok((await listDir(dir)).includes("AFTER"));
  });
});
