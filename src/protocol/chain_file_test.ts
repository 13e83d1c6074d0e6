import assert from "node:assert/strict";
import { chainRecord, parseChain } from "./chain_file.ts";

Deno.test("chain file: links in order, the pending next job, a cancelled one forgotten", () => {
  const text = chainRecord({ t: "link", link: { n: 1, jobId: "7", prefix: "/d/P" } }) +
    chainRecord({ t: "next", jobId: "8" }) +
    chainRecord({ t: "link", link: { n: 2, jobId: "8", prefix: "/d/P_link2" } }) +
    chainRecord({ t: "next", jobId: "9" });
  assert.equal(text.split("\n")[0], "link\t1\t7\t/d/P");
  assert.deepEqual(parseChain(text), {
    links: [{ n: 1, jobId: "7", prefix: "/d/P" }, { n: 2, jobId: "8", prefix: "/d/P_link2" }],
    next: "9",
  });
  assert.equal(parseChain(text + chainRecord({ t: "cancelled", jobId: "9" })).next, null);
  assert.equal(parseChain(text + "cancelled\t9").next, "9", "a line cut short is ignored");
  assert.deepEqual(parseChain("junk\nlink\tx\t1\t/p\n"), { links: [], next: null });
});
