import assert from "node:assert/strict";
import { formatStatusLine, STATUS_HEADER } from "../status/status_line.ts";
import type { RecordKind } from "../status/task_record.ts";
import { CompletionMailer } from "./completion_mailer.ts";

function line(taskId: number, rc = 0, kind: RecordKind = "N"): string {
  return formatStatusLine({
    kind,
    taskId,
    line: taskId + 1,
    repeat: -1,
    host: "n1",
    pid: 10,
    rc,
    start: 1,
    finish: 2,
    outBytes: 0,
    outSnippet: "",
    errBytes: 0,
    errSnippet: "",
    command: new TextEncoder().encode(`task ${taskId}`),
  });
}

function subject(m: string): string {
  return m.split("\r\n").find((l) => l.startsWith("Subject: "))!.slice(9);
}

/** The decoded body (quoted-printable TABs and plain text stay as they are here). */
function body(m: string): string {
  return m.slice(m.indexOf("\r\n\r\n") + 4).replace(/=\r\n/g, "").replace(/\r\n/g, "\n");
}

Deno.test("a notice after every N-th completion, with the lines since the previous one", async () => {
  const path = await Deno.makeTempFile();
  const sent: string[] = [];
  let inFlight = 0;
  const m = new CompletionMailer({
    statusPath: path,
    prefix: "/w/P",
    mailTo: "me@x",
    every: 2,
    // A slow server: the next notice waits for the previous one (an MTA may still deliver
    // them in either order, but it receives them in this one).
    send: async (msg) => {
      assert.equal(inFlight++, 0, "one notice at a time");
      await new Promise((r) => setTimeout(r, 15));
      sent.push(msg);
      inFlight--;
    },
    onError: (e) => assert.fail(e.message),
    pollMs: 10,
  });
  try {
    await m.start();
    const f = await Deno.open(path, { append: true });
    const put = (text: string) => f.write(new TextEncoder().encode(text));
    await put(STATUS_HEADER + "\n" + line(0) + "\n");
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(sent.length, 0, "one completion is not yet two");
    // A line in two pieces, a barrier and a lost attempt (not completions), then a failure.
    const l1 = line(1, 3);
    await put(l1.slice(0, 20));
    await new Promise((r) => setTimeout(r, 30));
    await put(l1.slice(20) + "\n" + line(2, 0, "B") + "\n" + line(3, -100, "Z") + "\n");
    await put(line(3) + "\n" + line(4) + "\n" + line(5) + "\n");
    f.close();
    await m.close();
    assert.equal(sent.length, 2);
    assert.equal(subject(sent[0]), "/w/P has completed 2 tasks (1 failed)");
    assert.equal(body(sent[0]), `Last 2:\n\n${line(0)}\n${l1}\n`);
    assert.equal(subject(sent[1]), "/w/P has completed 4 tasks (1 failed)");
    assert.equal(
      body(sent[1]),
      `Last 2:\n\n${line(2, 0, "B")}\n${line(3, -100, "Z")}\n${line(3)}\n${line(4)}\n`,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a failed send is reported once and ends the notices", async () => {
  const path = await Deno.makeTempFile();
  const errors: string[] = [];
  let tries = 0;
  const m = new CompletionMailer({
    statusPath: path,
    prefix: "P",
    mailTo: "me@x",
    every: 1,
    send: () => {
      tries++;
      return Promise.reject(new Error("connection refused"));
    },
    onError: (e) => errors.push(e.message),
  });
  try {
    await m.start();
    await Deno.writeTextFile(path, [line(0), line(1), line(2)].join("\n") + "\n");
    await m.close();
    assert.deepEqual(errors, ["connection refused"]);
    assert.equal(tries, 1);
  } finally {
    await Deno.remove(path);
  }
});
