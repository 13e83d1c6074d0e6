import assert from "node:assert/strict";
import { ChainLinkError, linkPrefix, nextLink } from "./chain_links.ts";

Deno.test("nextLink: the link after the last one with a status file, resuming from all", () => {
  const files = new Set(["/d/P_status.txt", "/d/P_link2_status.txt"]);
  const exists = (p: string) => files.has(p);
  assert.deepEqual(nextLink("/d/P", exists), {
    n: 3,
    prefix: "/d/P_link3",
    resume: ["/d/P_status.txt", "/d/P_link2_status.txt"],
  });
  files.delete("/d/P_link2_status.txt");
  assert.deepEqual(nextLink("/d/P", exists).prefix, "/d/P_link2");
  assert.equal(linkPrefix("/d/P", 1), "/d/P");
});

Deno.test("nextLink: a prefix without a status file is no run", () => {
  assert.throws(
    () => nextLink("/d/Q", () => false),
    (e: Error) =>
      e instanceof ChainLinkError &&
      e.message === "argument --link-of: no run has the prefix /d/Q (/d/Q_status.txt is missing)",
  );
});
