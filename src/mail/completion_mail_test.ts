import assert from "node:assert/strict";
import { completionMail, type CompletionNotice, completionSubject } from "./completion_mail.ts";

const notice: CompletionNotice = {
  prefix: "/home/u/Tasks_disBatch_231114221320_123",
  mailTo: "me@example.org",
  finished: 20,
  failed: 0,
  every: 10,
  lines: ["   \t10\t11\t-1\tn1\t5\t0\t0.1\t1.0\t1.1\t0\t''\t0\t''\techo a"],
  date: new Date(Date.UTC(2023, 10, 14, 22, 13, 20)),
  host: "login1",
};

Deno.test("the subject counts completed tasks and mentions failures only when there are some", () => {
  assert.equal(
    completionSubject(notice),
    "/home/u/Tasks_disBatch_231114221320_123 has completed 20 tasks",
  );
  assert.equal(
    completionSubject({ ...notice, failed: 3 }),
    "/home/u/Tasks_disBatch_231114221320_123 has completed 20 tasks (3 failed)",
  );
});

Deno.test("completionMail is a complete plain-text message with the status lines", () => {
  const m = completionMail(notice);
  const cut = m.indexOf("\r\n\r\n");
  const head = m.slice(0, cut);
  const body = m.slice(cut + 4);
  const headers = head.split("\r\n");
  assert.deepEqual(headers.slice(0, 4), [
    "From: me@example.org",
    "To: me@example.org",
    "Subject: /home/u/Tasks_disBatch_231114221320_123 has completed 20 tasks",
    "Date: Tue, 14 Nov 2023 22:13:20 +0000",
  ]);
  assert.match(headers[4], /^Message-ID: <[0-9a-f-]{36}@login1>$/);
  assert.deepEqual(headers.slice(5), [
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
  ]);
  assert.equal(
    body,
    "Last 10:\r\n\r\n   \t10\t11\t-1\tn1\t5\t0\t0.1\t1.0\t1.1\t0\t''\t0\t''\techo a\r\n",
  );
});

Deno.test("a non-ASCII prefix is encoded in the subject", () => {
  const m = completionMail({ ...notice, prefix: "/data/é" });
  const subject = m.split("\r\n").find((l) => l.startsWith("Subject: "))!;
  assert.equal(subject, `Subject: =?UTF-8?B?${btoa("/data/\xc3\xa9 has completed 20 tasks")}?=`);
});
