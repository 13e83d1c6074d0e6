import assert from "node:assert/strict";
import { MailError, parseMailVia, sendMail } from "./mail_transport.ts";

Deno.test("parseMailVia: SMTP on localhost:25 unless told otherwise", () => {
  assert.deepEqual(parseMailVia(undefined), { kind: "smtp", hostname: "localhost", port: 25 });
  assert.deepEqual(parseMailVia("mx.local"), { kind: "smtp", hostname: "mx.local", port: 25 });
  assert.deepEqual(parseMailVia("127.0.0.1:2525"), {
    kind: "smtp",
    hostname: "127.0.0.1",
    port: 2525,
  });
  assert.deepEqual(parseMailVia("[::1]:26"), { kind: "smtp", hostname: "::1", port: 26 });
  assert.deepEqual(parseMailVia("/usr/sbin/sendmail"), {
    kind: "sendmail",
    path: "/usr/sbin/sendmail",
  });
  assert.throws(() => parseMailVia("host:99999"), MailError);
});

/**
 * A one-connection SMTP server answering each command with the reply `answer` gives; returns
 * everything the client sent.
 */
function fakeSmtp(answer: (line: string) => string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const received = (async () => {
    const conn = await listener.accept();
    listener.close();
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    let got = "";
    let pending = "";
    let inData = false;
    await conn.write(enc.encode("220 fake ESMTP\r\n"));
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      const text = dec.decode(buf.subarray(0, n));
      got += text;
      pending += text;
      let nl;
      while ((nl = pending.indexOf("\r\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            await conn.write(enc.encode(answer(".")));
          }
          continue;
        }
        if (line === "DATA") inData = true;
        await conn.write(enc.encode(answer(line)));
        if (line === "QUIT") {
          conn.close();
          return got;
        }
      }
    }
    conn.close();
    return got;
  })();
  return { port, received };
}

const happy = (line: string) => {
  if (line.startsWith("EHLO")) return "250-fake greets you\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
  if (line === "DATA") return "354 go ahead\r\n";
  if (line === "QUIT") return "221 bye\r\n";
  return "250 ok\r\n";
};

Deno.test("sendMail speaks SMTP: envelope, dot-stuffed data, terminator", async () => {
  const s = fakeSmtp(happy);
  const message = "Subject: x\r\n\r\n.starts with a dot\r\nlast line";
  await sendMail({ kind: "smtp", hostname: "127.0.0.1", port: s.port }, "a@b", "c@d", message);
  const got = await s.received;
  assert.match(got, /^EHLO \S+\r\n/);
  assert.ok(
    got.includes(
      "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" +
        "Subject: x\r\n\r\n..starts with a dot\r\nlast line\r\n.\r\nQUIT\r\n",
    ),
    got,
  );
});

Deno.test("sendMail reports the server's refusal", async () => {
  const s = fakeSmtp((line) =>
    line.startsWith("RCPT") ? "550 5.1.1 no such user\r\n" : happy(line)
  );
  await assert.rejects(
    sendMail({ kind: "smtp", hostname: "127.0.0.1", port: s.port }, "a@b", "nobody@d", "x"),
    (e: Error) => e instanceof MailError && e.message === "SMTP RCPT TO: 550 5.1.1 no such user",
  );
  await s.received;
});

Deno.test("sendMail fails cleanly when nothing listens or the server stays silent", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  const accepted = l.accept();
  const silent = sendMail({ kind: "smtp", hostname: "127.0.0.1", port }, "a@b", "c@d", "x", 100);
  await assert.rejects(silent, MailError);
  (await accepted).close();
  l.close();
  await assert.rejects(
    sendMail({ kind: "smtp", hostname: "127.0.0.1", port }, "a@b", "c@d", "x"),
    /cannot reach the SMTP server/,
  );
});

Deno.test("sendMail through a sendmail program: arguments, LF message, exit status", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const prog = `${dir}/sendmail`;
    await Deno.writeTextFile(
      prog,
      `#!/bin/bash\nprintf '%s\\n' "$@" > ${dir}/args\ncat > ${dir}/msg\n` +
        `[ "$5" = fail@d ] && { echo 'refused: fail@d' >&2; exit 67; }\nexit 0\n`,
    );
    await Deno.chmod(prog, 0o755);
    await sendMail({ kind: "sendmail", path: prog }, "a@b", "c@d", "Subject: x\r\n\r\nbody\r\n");
    assert.equal(await Deno.readTextFile(`${dir}/args`), "-i\n-f\na@b\n--\nc@d\n");
    assert.equal(await Deno.readTextFile(`${dir}/msg`), "Subject: x\n\nbody\n");
    await assert.rejects(
      sendMail({ kind: "sendmail", path: prog }, "a@b", "fail@d", "x"),
      (e: Error) => e instanceof MailError && /exited with 67: refused: fail@d/.test(e.message),
    );
    await assert.rejects(
      sendMail({ kind: "sendmail", path: `${dir}/missing` }, "a@b", "c@d", "x"),
      /cannot run/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
