/**
 * Strangers on the driver's port (spec §9.1; the port's authenticated protocol): garbage, a
 * wrong secret, an over-long line or silence are dropped without disturbing the run.
 */
import assert from "node:assert/strict";
import { sortedProjection, statusLines, tempDir, writeTasks } from "./helpers.ts";
import { exists, resultWithin, startDisbatch, waitFor } from "./background_run.ts";
import { connectToDriver, orderAddresses } from "../src/net/connect.ts";
import { parseDbUtil } from "../src/protocol/db_util_script.ts";

/** The driver's loopback address from the run's helper script. */
async function driverPort(dbUtil: string): Promise<number> {
  const text = await Deno.readTextFile(dbUtil);
  const m = /^# disbatch-addresses: .*\b127\.0\.0\.1:(\d+)/m.exec(text);
  if (!m) throw new Error(`no loopback address in ${dbUtil}`);
  return Number(m[1]);
}

/** Reads until the peer closes; returns what it sent, or throws after `ms`. */
async function readToClose(conn: Deno.Conn, ms: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), ms));
  try {
    for (;;) {
      const n = await Promise.race([conn.read(buf).catch(() => null), deadline]);
      if (n === "timeout") throw new Error(`the driver kept a stranger's connection for ${ms} ms`);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

async function send(conn: Deno.Conn, text: string): Promise<void> {
  const data = new TextEncoder().encode(text);
  for (let off = 0; off < data.length;) {
    try {
      off += await conn.write(data.subarray(off));
    } catch {
      return; // the driver already hung up, which is the point
    }
  }
}

/** Reads the driver's first line (its hello). */
async function firstLine(conn: Deno.Conn): Promise<Record<string, unknown>> {
  let text = "";
  const buf = new Uint8Array(1024);
  while (!text.includes("\n")) {
    const n = await conn.read(buf);
    if (n === null) throw new Error("closed before hello");
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

Deno.test("garbage, a wrong secret and an over-long line are dropped; the run goes on", async () => {
  const { dir, cleanup } = await tempDir();
  await writeTasks(`${dir}/Tasks`, "touch started; sleep 1.5; echo one\necho two\n");
  const run = startDisbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
  const silent: Deno.Conn[] = [];
  try {
    await waitFor("the first task", () => exists(`${dir}/started`));
    const port = await driverPort(`${dir}/run_dbUtil.sh`);
    const connect = () => Deno.connect({ hostname: "127.0.0.1", port });

    const garbage = await connect();
    await send(garbage, "GET / HTTP/1.0\r\n\r\n");
    const said = await readToClose(garbage, 5_000);
    assert.ok(!said.includes("welcome"), said);
    garbage.close();

    const wrong = await connect();
    const hello = await firstLine(wrong);
    assert.equal(hello.t, "hello");
    await send(
      wrong,
      JSON.stringify({ t: "hello", v: hello.v, role: "engine", mac: "0".repeat(64) }) + "\n",
    );
    assert.ok(!(await readToClose(wrong, 5_000)).includes("welcome"));
    wrong.close();

    const long = await connect();
    await send(long, "x".repeat(100_000));
    await readToClose(long, 5_000);
    long.close();

    // Connections that open and vanish at once, and one that stays silent until the end.
    await Promise.all(Array.from({ length: 20 }, async () => (await connect()).close()));
    silent.push(await connect());

    const r = await resultWithin(run, 15_000);
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(sortedProjection(await statusLines(`${dir}/run`)), [
      " O  |0|1|-1|0|4|'one\\n'|0|''|touch started; sleep 1.5; echo one",
      " O  |1|2|-1|0|4|'two\\n'|0|''|echo two",
    ]);
    assert.match(await Deno.readTextFile(`${dir}/run_driver.log`), /dropped connection/);
  } finally {
    for (const c of silent) c.close();
    await resultWithin(run, 5_000).catch(() => {});
    await cleanup();
  }
});

Deno.test("an authenticated peer's malformed message ends its connection with bye and the reason; the run goes on", async () => {
  const { dir, cleanup } = await tempDir();
  await writeTasks(`${dir}/Tasks`, "touch started; sleep 1; echo one\n");
  const run = startDisbatch(["-s", "localhost:1", "-p", "run", "Tasks"], { cwd: dir });
  try {
    await waitFor("the first task", () => exists(`${dir}/started`));
    const creds = parseDbUtil(await Deno.readTextFile(`${dir}/run_dbUtil.sh`));
    const addrs = orderAddresses(creds.addresses, creds.driverHost, Deno.hostname());
    // A client whose request has a field of the wrong type.
    const client = await connectToDriver(addrs, creds.secret, "client");
    client.send({ t: "stop", engine: "zero" });
    assert.deepEqual(await client.next(10_000), {
      t: "bye",
      reason: 'client → driver: message "stop": field engine must be an integer',
    });
    assert.equal(await client.next(10_000), null, "then the driver closes the connection");
    await client.done;
    // An engine whose registration lacks a field.
    const engine = await connectToDriver(addrs, creds.secret, "engine");
    engine.send({ t: "eng_register", contextRank: 0, node: "x", host: "x", pid: 1 });
    const bye = await engine.next(10_000);
    assert.equal(bye?.t, "bye");
    assert.match(String(bye?.reason), /"eng_register": field cylinders/);
    await engine.done;

    const r = await resultWithin(run, 15_000);
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.equal((await statusLines(`${dir}/run`)).length, 1);
    assert.match(
      await Deno.readTextFile(`${dir}/run_driver.log`),
      /\(client\): client → driver: message "stop": field engine must be an integer/,
    );
  } finally {
    await resultWithin(run, 5_000).catch(() => {});
    await cleanup();
  }
});
