import assert from "node:assert/strict";
import { expandHostlist, HostlistError } from "./hostlist.ts";

// Expected values are the output of `scontrol show hostnames` (Slurm 22.05.8).
const CASES: [string, string[]][] = [
  ["n[1-3,7]", ["n1", "n2", "n3", "n7"]],
  ["a[01-03],b5", ["a01", "a02", "a03", "b5"]],
  ["worker[2080,5071-5072],vm,n[01-03]", [
    "worker2080",
    "worker5071",
    "worker5072",
    "vm",
    "n01",
    "n02",
    "n03",
  ]],
  ["worker[2080,5071-5072,5422]", ["worker2080", "worker5071", "worker5072", "worker5422"]],
  ["n[1-03]", ["n1", "n2", "n3"]],
  ["n[01-3]", ["n01", "n02", "n03"]],
  ["n[8-11]", ["n8", "n9", "n10", "n11"]],
  ["n[098-101]", ["n098", "n099", "n100", "n101"]],
  ["a[1-2]b[3-4]", ["a1b3", "a1b4", "a2b3", "a2b4"]],
  ["n[1-2][3-4]", ["n13", "n14", "n23", "n24"]],
  ["n1,n1", ["n1", "n1"]],
  ["x,,y", ["x", "y"]],
  [" x , y", ["x", "y"]],
  ["a b", ["a", "b"]],
  ["n[1-2],", ["n1", "n2"]],
  ["n[1,01]", ["n1", "n01"]],
  ["a-[1-2]", ["a-1", "a-2"]],
  ["[1-2]", ["1", "2"]],
  ["n5[1-2]", ["n51", "n52"]],
  ["vm", ["vm"]],
  ["", []],
];

Deno.test("expandHostlist matches scontrol show hostnames", () => {
  for (const [list, want] of CASES) assert.deepEqual(expandHostlist(list), want, list);
});

Deno.test("expandHostlist rejects what scontrol rejects", () => {
  for (
    const bad of [
      "a[1-2]-x",
      "a[1-2]b",
      "n[3-1]",
      "n[]",
      "n[a-b]",
      "n[-2]",
      "n[1-2",
      "n[1-2-3]",
      "n[[1]]",
      "n[1]x",
    ]
  ) {
    assert.throws(() => expandHostlist(bad), HostlistError, bad);
  }
});
