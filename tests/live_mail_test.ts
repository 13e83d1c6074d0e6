/**
 * `--mailTo`/`--mailFreq` against a real MTA (Debian's exim4, with a private configuration:
 * its own port, spool and mailbox file), over SMTP and through its sendmail interface; the
 * delivered messages are read back from the mailbox.
 * @module
 */
import assert from "node:assert/strict";
import { waitFor } from "./background_run.ts";
import { disbatch, statusLines, tempDir, withTempDir, writeTasks } from "./helpers.ts";
import { ignoreWithout, requireTools } from "./live_tools.ts";

const EXIM = "/usr/sbin/exim4";

/**
 * A private exim: config, spool and mailbox in `dir`/mta. Exim works as its own user: `dir`
 * (a private temporary directory) is opened up for it to pass through.
 */
async function eximConfig(parent: string, port: number): Promise<string> {
  const dir = `${parent}/mta`;
  await Deno.chmod(parent, 0o755);
  await Deno.mkdir(dir, { mode: 0o755 });
  for (const d of ["spool", "log", "mail"]) {
    await Deno.mkdir(`${dir}/${d}`);
    await Deno.chmod(`${dir}/${d}`, 0o777);
  }
  const conf = `${dir}/exim.conf`;
  await Deno.writeTextFile(
    conf,
    `primary_hostname = disbatch.test
spool_directory = ${dir}/spool
log_file_path = ${dir}/log/%slog
daemon_smtp_ports = ${port}
local_interfaces = 127.0.0.1
acl_smtp_rcpt = accept_all
trusted_users = root
tls_advertise_hosts =
begin acl
accept_all:
  accept
begin routers
everyone:
  driver = accept
  transport = mailbox
begin transports
mailbox:
  driver = appendfile
  file = ${dir}/mail/mbox
  user = Debian-exim
  mode = 0644
`,
  );
  return conf;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts exim as an SMTP daemon in the foreground; resolves once it accepts connections. */
async function startExim(conf: string, port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(EXIM, {
    args: ["-C", conf, "-bdf", "-oX", String(port)],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitFor("exim to listen", async () => {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return true;
    } catch {
      return false;
    }
  });
  return child;
}

/** A delivered message: headers by name, body decoded from quoted-printable. */
interface Delivered {
  headers: Record<string, string>;
  body: string;
}

/** The messages of an mbox file. */
async function mailbox(path: string): Promise<Delivered[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  return text.split(/^From \S+ .*\n/m).slice(1).map((m) => {
    const cut = m.indexOf("\n\n");
    const headers: Record<string, string> = {};
    for (const h of m.slice(0, cut).replace(/\n\s+/g, " ").split("\n")) {
      const i = h.indexOf(":");
      headers[h.slice(0, i).toLowerCase()] = h.slice(i + 1).trim();
    }
    const qp = m.slice(cut + 2).replace(/=\n/g, "").replace(/\n\n$/, "\n");
    const bytes = qp.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    const body = new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
    return { headers, body };
  });
}

const TASKS = ["echo a", "echo b >&2; exit 1", "echo c", "echo d", "echo e"].join("\n") + "\n";

Deno.test({
  name: "--mailTo mails every --mailFreq completions through a real SMTP server",
  ignore: ignoreWithout("exim4"),
  fn: async () => {
    requireTools("exim4");
    const { dir, cleanup } = await tempDir();
    const port = freePort();
    let exim: Deno.ChildProcess | null = null;
    try {
      exim = await startExim(await eximConfig(dir, port), port);
      await writeTasks(`${dir}/Tasks`, TASKS);
      const r = await disbatch(
        [
          "-s",
          "localhost:1",
          "-p",
          "run",
          "--mailTo",
          "tester@disbatch.test",
          "--mailFreq",
          "2",
          "Tasks",
        ],
        { cwd: dir, env: { DISBATCH_MAIL_VIA: `127.0.0.1:${port}` } },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      const status = await statusLines(`${dir}/run`);
      await waitFor(
        "two delivered messages",
        async () => (await mailbox(`${dir}/mta/mail/mbox`)).length >= 2,
      );
      // Exim delivers each accepted message in a process of its own, so two notices sent one
      // after the other (the order completion_mailer_test checks) can land in the mbox either way.
      const completed = (m: Delivered) =>
        Number(/completed (\d+) tasks/.exec(m.headers.subject)?.[1]);
      const mails = (await mailbox(`${dir}/mta/mail/mbox`)).sort((a, b) =>
        completed(a) - completed(b)
      );
      assert.equal(mails.length, 2, "five completions make two notices of two");
      const prefix = `${await Deno.realPath(dir)}/run`;
      assert.deepEqual(mails.map((m) => m.headers.subject), [
        `${prefix} has completed 2 tasks (1 failed)`,
        `${prefix} has completed 4 tasks (1 failed)`,
      ]);
      for (const m of mails) {
        assert.equal(m.headers.from, "tester@disbatch.test");
        assert.equal(m.headers.to, "tester@disbatch.test");
        assert.equal(m.headers["content-type"], "text/plain; charset=utf-8");
      }
      assert.equal(mails[0].body, `Last 2:\n\n${status[0]}\n${status[1]}\n`);
      assert.equal(mails[1].body, `Last 2:\n\n${status[2]}\n${status[3]}\n`);
    } finally {
      exim?.kill("SIGTERM");
      await exim?.status;
      await cleanup();
    }
  },
});

Deno.test({
  name: "--mailTo through the MTA's sendmail interface; a failing MTA is logged once",
  ignore: ignoreWithout("exim4"),
  fn: async () => {
    requireTools("exim4");
    await withTempDir(async (dir) => {
      const conf = await eximConfig(dir, freePort());
      const sendmail = `${dir}/sendmail`;
      await Deno.writeTextFile(sendmail, `#!/bin/sh\nexec ${EXIM} -C ${conf} "$@"\n`);
      await Deno.chmod(sendmail, 0o755);
      await writeTasks(`${dir}/Tasks`, TASKS);
      const r = await disbatch(
        [
          "-s",
          "localhost:2",
          "-p",
          "run",
          "--mailTo",
          "tester@disbatch.test",
          "--mailFreq",
          "5",
          "Tasks",
        ],
        { cwd: dir, env: { DISBATCH_MAIL_VIA: sendmail } },
      );
      assert.equal(r.code, 0, r.stderr);
      await waitFor(
        "the delivered message",
        async () => (await mailbox(`${dir}/mta/mail/mbox`)).length >= 1,
      );
      const [mail] = await mailbox(`${dir}/mta/mail/mbox`);
      assert.match(mail.headers.subject, /\/run has completed 5 tasks \(1 failed\)$/);
      const lines = await statusLines(`${dir}/run`);
      assert.equal(mail.body, `Last 5:\n\n${lines.join("\n")}\n`);

      // Nothing listens there: the run is not disturbed, the failure is logged once.
      const down = await disbatch(
        ["-s", "localhost:2", "-p", "down", "--mailTo", "tester@disbatch.test", "Tasks"],
        { cwd: dir, env: { DISBATCH_MAIL_VIA: `127.0.0.1:${freePort()}` } },
      );
      assert.equal(down.code, 0);
      assert.equal(down.stderr, "");
      const log = await Deno.readTextFile(`${dir}/down_driver.log`);
      const failures = log.match(/Failed to send notification message: ".*"\. Disabling\./g);
      assert.equal(failures?.length, 1, log);
    });
  },
});

Deno.test("--mailTo with an unusable address or DISBATCH_MAIL_VIA is a usage error", async () => {
  await withTempDir(async (dir) => {
    await writeTasks(`${dir}/Tasks`, "echo hi\n");
    const bad = await disbatch(["-s", "localhost:1", "--mailTo", "a b@c", "Tasks"], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^disbatch: error: --mailTo: not a mail address: "a b@c"\n/);
    const via = await disbatch(["-s", "localhost:1", "--mailTo", "a@b", "Tasks"], {
      cwd: dir,
      env: { DISBATCH_MAIL_VIA: "host:99999" },
    });
    assert.equal(via.code, 2);
    assert.match(via.stderr, /DISBATCH_MAIL_VIA: not host\[:port\] or \/path\/to\/sendmail/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["Tasks"]);
  });
});
