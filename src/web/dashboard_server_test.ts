import assert from "node:assert/strict";
import { FakeSource, sampleState } from "../monitor/sample_state.ts";
import { formatStatusLine } from "../status/status_line.ts";
import type { TaskRecord } from "../status/task_record.ts";
import { UPLOT_JS } from "../report/vendor/uplot_assets.ts";
import type { ChartMessage } from "./chart_feed.ts";
import { DASHBOARD_HTML } from "./dashboard_page.ts";
import { Dashboard, DashboardError } from "./dashboard_server.ts";

const TOKEN = "0123456789abcdef";

async function withDashboard(
  fn: (d: Dashboard, base: string, src: FakeSource, statusPath: string) => Promise<void>,
): Promise<void> {
  const statusPath = await Deno.makeTempFile();
  const src = new FakeSource(sampleState());
  const d = Dashboard.start({ address: "127.0.0.1:0", source: src, statusPath, token: TOKEN });
  try {
    await fn(d, `http://127.0.0.1:${d.port}`, src, statusPath);
  } finally {
    await d.close();
    await Deno.remove(statusPath);
  }
}

const bearer = { authorization: `Bearer ${TOKEN}` };

const failedTask: TaskRecord = {
  kind: "N",
  taskId: 17,
  line: 18,
  repeat: -1,
  host: "node1",
  pid: 42,
  rc: 1,
  start: 1,
  finish: 2,
  outBytes: 0,
  outSnippet: "",
  errBytes: 4,
  errSnippet: "bad\n",
  command: new TextEncoder().encode("./simulate --seed 17"),
};

Deno.test("every request needs the token; the URL's token becomes a cookie", async () => {
  await withDashboard(async (d, base) => {
    assert.equal(d.url, `${base}/?token=${TOKEN}`);
    for (
      const path of [
        "/",
        "/api/state",
        "/api/events",
        "/?token=wrong",
        "/api/task?id=1",
        "/api/series",
      ]
    ) {
      const r = await fetch(base + path);
      assert.equal(r.status, 401, path);
      assert.match(await r.text(), /token/);
    }
    const first = await fetch(d.url, { redirect: "manual" });
    await first.body?.cancel();
    assert.equal(first.status, 303);
    assert.equal(first.headers.get("location"), "/");
    const cookie = first.headers.get("set-cookie")!;
    assert.equal(cookie, `disbatch_${d.port}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`);
    const page = await fetch(base + "/", { headers: { cookie: cookie.split(";")[0] } });
    assert.equal(page.status, 200);
    assert.equal(await page.text(), DASHBOARD_HTML);
    assert.match(page.headers.get("content-security-policy")!, /default-src 'none'/);
    assert.equal(page.headers.get("cache-control"), "no-store");
  });
});

Deno.test("the page is self-contained: no address outside this server", () => {
  assert.ok(DASHBOARD_HTML.includes(UPLOT_JS), "uPlot is in the page");
  // uPlot names its home in its first comment; it fetches nothing.
  assert.deepEqual(UPLOT_JS.match(/(https?:)?\/\/[a-z][^\s)]*/gi), [
    "https://github.com/leeoniya/uPlot",
  ]);
  const own = DASHBOARD_HTML.replace(UPLOT_JS, "");
  assert.doesNotMatch(own, /(https?:)?\/\/[a-z]/i);
  assert.doesNotMatch(own, /innerHTML/, "run data only ever goes in as text");
});

Deno.test("state, task lookup and stop requests", async () => {
  await withDashboard(async (_d, base, src, statusPath) => {
    const st = await (await fetch(base + "/api/state", { headers: bearer })).json();
    assert.equal(st.state.done, 450);
    assert.equal(st.ended, false);

    await Deno.writeTextFile(statusPath, formatStatusLine(failedTask) + "\n");
    const t = await (await fetch(base + "/api/task?id=17", { headers: bearer })).json();
    assert.equal(t.taskId, 17);
    assert.deepEqual(t.lines.map((l: { errSnippet: string }) => l.errSnippet), ["bad\n"]);
    const none = await (await fetch(base + "/api/task?id=18", { headers: bearer })).json();
    assert.deepEqual(none.lines, []);
    const bad = await fetch(base + "/api/task?id=x", { headers: bearer });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();

    const post = (body: string, type = "application/json") =>
      fetch(base + "/api/stop", {
        method: "POST",
        headers: { ...bearer, "content-type": type },
        body,
      });
    assert.deepEqual(await (await post('{"engine":1}')).json(), { ok: true });
    assert.deepEqual(await (await post('{"context":12}')).json(), { ok: false });
    const form = await post("engine=1", "application/x-www-form-urlencoded");
    assert.equal(form.status, 415);
    await form.body?.cancel();
    const junk = await post('{"engine":"1"}');
    assert.equal(junk.status, 400);
    await junk.body?.cancel();
    assert.deepEqual(src.stops, [{ engine: 1 }, { context: 12 }]);
    const missing = await fetch(base + "/nope", { headers: bearer });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("events carry the state and chart data now, every new state, and the end", async () => {
  await withDashboard(async (_d, base, src, statusPath) => {
    const r = await fetch(base + "/api/events", { headers: bearer });
    assert.equal(r.headers.get("content-type"), "text/event-stream");
    const text = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    let got = "";
    const until = async (re: RegExp) => {
      while (!re.test(got)) {
        const { value, done } = await text.read();
        if (done) throw new Error(`stream ended before ${re}: ${got}`);
        got += value;
      }
    };
    await until(/^data: \{.*"done":450.*\}\n\nevent: series\ndata: (.*)\n\n/);
    const first = JSON.parse(got.match(/event: series\ndata: (.*)\n\n/)![1]);
    assert.deepEqual(first.points.map((p: { completed: number }) => p.completed), [450]);
    // A task finished: its attempt comes with a chart update, as does the next state's point
    // (deltas may repeat what came before: the page merges them, as here).
    await Deno.writeTextFile(statusPath, formatStatusLine(failedTask) + "\n");
    src.push(sampleState({ done: 451, now: 1_700_000_126 }));
    await until(/"done":451/);
    await until(/event: series\ndata: .*"taskId":17/);
    await until(/event: series\ndata: .*"completed":451/);
    const points = new Map<number, number>();
    const tasks = new Map<number, string>();
    for (const [, data] of got.matchAll(/event: series\ndata: (.*)\n\n/g)) {
      const m: ChartMessage = JSON.parse(data);
      for (const p of m.points) points.set(p.t, p.completed);
      for (const t of m.tasks) tasks.set(t.seq, `${t.taskId} ${t.outcome}`);
    }
    assert.deepEqual([...points.values()], [450, 451]);
    assert.deepEqual([...tasks.values()], ["17 failed"]);
    const full = await (await fetch(base + "/api/series", { headers: bearer })).json();
    assert.deepEqual(full.tasks.map((t: { taskId: number }) => t.taskId), [17]);
    src.end(0);
    await until(/event: end\ndata: \{"exitCode":0\}\n\n$/);
    assert.equal((await text.read()).done, true, "the stream ends with the run");
  });
});

Deno.test("an open event stream does not keep the dashboard from closing", async () => {
  const src = new FakeSource(sampleState());
  const d = Dashboard.start({ address: "127.0.0.1:0", source: src, statusPath: "/x", token: "t" });
  const r = await fetch(`http://127.0.0.1:${d.port}/api/events`, {
    headers: { authorization: "Bearer t" },
  });
  const reader = r.body!.getReader();
  assert.equal((await reader.read()).done, false);
  await d.close();
  // What was queued before (the state and the chart data) may still come, then the end.
  let reads = 0;
  while (!(await reader.read()).done) assert.ok(++reads < 3, "the stream did not end");
});

Deno.test("a bad dashboard address is a DashboardError", () => {
  const src = new FakeSource(null);
  assert.throws(
    () => Dashboard.start({ address: "nohostport", source: src, statusPath: "/x" }),
    DashboardError,
  );
});

Deno.test("a dashboard on all interfaces is announced under the machine's name", async () => {
  const d = Dashboard.start({
    address: "0.0.0.0:0",
    source: new FakeSource(null),
    statusPath: "/x",
  });
  try {
    assert.match(d.url, new RegExp(`^http://${Deno.hostname()}:${d.port}/\\?token=[0-9a-f]{48}$`));
  } finally {
    await d.close();
  }
});
