import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { selfCommand, V8_FLAGS } from "./self_command.ts";

const cliMain = new URL("../cli/main.ts", import.meta.url);
const haveCli = (() => {
  try {
    Deno.statSync(cliMain);
    return true;
  } catch {
    return false;
  }
})();

Deno.test("selfCommand points deno run at the repository's main.ts and deno.json", () => {
  assert.equal(Deno.build.standalone, false); // tests always run under plain deno
  const argv = selfCommand(["-s", "localhost:2", "Tasks"]);
  assert.equal(argv[0], Deno.execPath());
  assert.deepEqual(argv.slice(1, 7), [
    "run",
    "--quiet",
    "--allow-all",
    `--v8-flags=${V8_FLAGS}`,
    "--no-lock",
    "--config",
  ]);
  assert.equal(argv[7], fileURLToPath(new URL("../../deno.json", import.meta.url)));
  assert.equal(argv[8], fileURLToPath(new URL("../../main.ts", import.meta.url)));
  assert.deepEqual(argv.slice(9), ["-s", "localhost:2", "Tasks"]);
  Deno.statSync(argv[7]);
  Deno.statSync(argv[8]);
});

Deno.test("the launcher script and the compile task pass the same V8 flags", () => {
  const root = new URL("../../", import.meta.url);
  const launcher = Deno.readTextFileSync(new URL("scripts/disbatch", root));
  const compile = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root))).tasks.compile;
  assert.ok(launcher.includes(`--v8-flags=${V8_FLAGS} `), "scripts/disbatch");
  assert.ok(compile.includes(`--v8-flags=${V8_FLAGS} `), "deno task compile");
});

Deno.test({
  name: "selfCommand(['--version']) runs this program",
  ignore: !haveCli,
  async fn() {
    const [cmd, ...args] = selfCommand(["--version"]);
    const out = await new Deno.Command(cmd, { args, stdin: "null" }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.ok(out.stdout.length > 0);
  },
});
