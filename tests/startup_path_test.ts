/**
 * Keeps the start-up path cheap: a run starts the driver and an engine one after the other, and
 * the first `node:` import of a process costs ≈ 8 ms (Deno's Node compatibility layer). Neither
 * role's module graph may import one; src/time and src/driver/posix_path exist for this.
 * @module
 */
import assert from "node:assert/strict";

const ROLES = ["src/cli/driver_main.ts", "src/cli/context_main.ts", "src/cli/engine_main.ts"];

/** Every specifier in `root`'s static module graph, from `deno info --json`. */
async function moduleGraph(root: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(`../${root}`, import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier);
}

Deno.test("no node: module on the driver's, the context's or the engine's way to a task", async () => {
  for (const root of ROLES) {
    const graph = await moduleGraph(root);
    assert.ok(graph.some((s) => s.endsWith(`/${root}`)), `${root} is in its own graph`);
    assert.ok(graph.length > 5, `${root}: ${graph.length} modules`);
    assert.deepEqual(graph.filter((s) => s.startsWith("node:")), [], root);
  }
  // The check itself sees node: imports (the monitor may use them: it is not on that path).
  assert.ok((await moduleGraph("src/cli/monitor_main.ts")).includes("node:util"));
});
