import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { selfCommand } from "./self_command.ts";

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
  assert.deepEqual(argv.slice(1, 6), ["run", "--quiet", "--allow-all", "--no-lock", "--config"]);
  assert.equal(argv[6], fileURLToPath(new URL("../../deno.json", import.meta.url)));
  assert.equal(argv[7], fileURLToPath(new URL("../../main.ts", import.meta.url)));
  assert.deepEqual(argv.slice(8), ["-s", "localhost:2", "Tasks"]);
  Deno.statSync(argv[6]);
  Deno.statSync(argv[7]);
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
