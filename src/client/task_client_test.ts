import assert from "node:assert/strict";
import { newSecret } from "../net/connection.ts";
import type { Connection } from "../net/connection.ts";
import { Listener } from "../net/listener.ts";
import { renderDbUtil } from "../protocol/db_util_script.ts";
import { RunEndedError, TaskClient, type TaskResult } from "./task_client.ts";

/** A scripted stand-in for the driver: it gives ids in order and answers on demand. */
class FakeDriver {
  readonly listener: Listener;
  readonly dir = Deno.makeTempDirSync();
  conn: Connection | null = null;
  /** Submit requests not answered yet. */
  readonly unanswered: Record<string, unknown>[] = [];
  maxUnanswered = 0;
  readonly batchSizes: number[] = [];
  #nextId = 0;

  constructor(readonly secret = newSecret()) {
    this.listener = new Listener({
      hostname: "127.0.0.1",
      port: 0,
      secret,
      onPeer: (_role, conn) => {
        this.conn = conn;
        conn.attach({
          message: (m) => {
            if (m.t !== "submit") return;
            this.batchSizes.push((m.lines as string[]).length);
            this.unanswered.push(m);
            this.maxUnanswered = Math.max(this.maxUnanswered, this.unanswered.length);
          },
          closed: () => {},
        });
      },
      onReject: () => {},
    });
    const prefix = `${this.dir}/run`;
    Deno.writeTextFileSync(
      `${prefix}_dbUtil.sh`,
      renderDbUtil(
        {
          addresses: [`127.0.0.1:${this.listener.addr.port}`],
          primary: `127.0.0.1:${this.listener.addr.port}`,
          driverHost: Deno.hostname(),
          secret,
          prefix,
        },
        ["disbatch"],
        `${prefix}_dbUtil.sh`,
      ),
    );
  }

  get prefix(): string {
    return `${this.dir}/run`;
  }

  /** Accepts the oldest unanswered request: one id per value. */
  answer(): void {
    const m = this.unanswered.shift()!;
    const ids = (m.lines as string[]).map((_, i) => ({
      first: this.#nextId + i,
      next: this.#nextId + i + 1,
      line: this.#nextId + i + 1,
    }));
    this.#nextId += ids.length;
    this.conn!.send({ t: "accepted", ref: m.ref, ids });
  }

  result(id: number): void {
    const result: TaskResult = {
      Flags: "    ",
      TaskId: id,
      TaskStreamIndex: id + 1,
      TaskRepIndex: -1,
      Host: "localhost",
      PID: 4242,
      ReturnCode: 0,
      Elapsed: 0.001,
      Start: 1700000000,
      End: 1700000000.001,
      OutBytes: 0,
      OutData: "",
      ErrBytes: 0,
      ErrData: "",
      TaskCmd: `echo ${id}`,
    };
    this.conn!.send({ t: "result", result });
  }

  async close(): Promise<void> {
    this.conn?.close();
    await this.conn?.done;
    await this.listener.close();
    await Deno.remove(this.dir, { recursive: true });
  }
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 500) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("submissions are batched and at most 8 requests await the driver", async () => {
  const d = new FakeDriver();
  const c = await TaskClient.connect(d.prefix);
  try {
    const values = Array.from({ length: 12_345 }, (_, i) => `echo ${i}`);
    const big = ["x".repeat(400_000), "y".repeat(400_000), "z".repeat(400_000)];
    const pending = Promise.all([c.submit(values), c.submit(big)]);
    let answered = 0;
    while (answered < 15) {
      await until(() => d.unanswered.length > 0);
      // The client never has more than its window in flight, however slow the driver.
      await new Promise((r) => setTimeout(r, 2));
      d.answer();
      answered++;
    }
    const [ids, bigIds] = await pending;
    assert.deepEqual(ids, values.map((_, i) => i));
    assert.deepEqual(bigIds, [12_345, 12_346, 12_347]);
    assert.ok(d.maxUnanswered > 1 && d.maxUnanswered <= 8, `${d.maxUnanswered} in flight`);
    // 13 batches of at most 1000 values, then the large values two to a 1 MiB request.
    assert.deepEqual(d.batchSizes, [...Array(12).fill(1000), 345, 2, 1]);
  } finally {
    await c.close();
    await d.close();
  }
});

Deno.test("results: waitForIds claims its ids, waitForOne gets the others in order", async () => {
  const d = new FakeDriver();
  const c = await TaskClient.connect(d.prefix);
  try {
    const submitted = c.submit(["a", "b", "c", "d"]);
    await until(() => d.unanswered.length === 1);
    d.answer();
    assert.deepEqual(await submitted, [0, 1, 2, 3]);
    const both = c.waitForIds([1, 3]);
    const one = c.waitForOne();
    d.result(3);
    d.result(2);
    assert.equal((await one).TaskId, 2);
    d.result(1);
    assert.deepEqual([...(await both).keys()], [1, 3]);
    // Task 0's result never comes: the driver goes away.
    const lost = c.waitForIds([0]).catch((e) => e);
    d.conn!.close();
    const e = await lost;
    assert.ok(e instanceof RunEndedError);
    assert.deepEqual(e.missing, [0]);
    assert.equal(e.exitCode, null);
  } finally {
    await c.close();
    await d.close();
  }
});
