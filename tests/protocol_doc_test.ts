/**
 * docs/protocol.md is the protocol's contract: its Python client, extracted from the page and
 * run with python3 against a real task server, must print exactly what the page shows, and its
 * tables must list the messages and fields of src/protocol/*_messages.ts.
 */
import assert from "node:assert/strict";
import { commandWorks, ROOT } from "./helpers.ts";
import { resultWithin } from "./background_run.ts";
import { withTaskServer } from "./task_server.ts";
import type { AnyDirection, AnyKind, Shape } from "../src/protocol/wire_schema.ts";
import { driverHandshake, peerHandshake } from "../src/protocol/handshake_messages.ts";
import { contextToDriver, driverToContext } from "../src/protocol/context_messages.ts";
import { driverToEngine, engineToDriver } from "../src/protocol/engine_messages.ts";
import {
  clientToDriver,
  decodeDriverToClient,
  driverToClient,
} from "../src/protocol/client_messages.ts";
import {
  idRangeShape,
  runInfoShape,
  runStateShape,
  taskResultShape,
} from "../src/protocol/messages.ts";

/** The first ```python block of the page, and the first ```text block after it. */
async function documentedExample(): Promise<{ program: string; output: string }> {
  const page = await Deno.readTextFile(`${ROOT}/docs/protocol.md`);
  const program = page.match(/^```python\n([\s\S]*?)^```$/m);
  if (!program) throw new Error("docs/protocol.md has no python block");
  const rest = page.slice(program.index! + program[0].length);
  const output = rest.match(/^```text\n([\s\S]*?)^```$/m);
  if (!output) throw new Error("docs/protocol.md shows no output after its python block");
  return { program: program[1], output: output[1] };
}

Deno.test("the Python client of docs/protocol.md works as shown", async () => {
  if (!(await commandWorks("python3", ["--version"]))) {
    console.warn("SKIPPED: python3 is not installed; the documented Python client was not run");
    return;
  }
  const { program, output } = await documentedExample();
  await withTaskServer({ name: "demo" }, async (server, dir) => {
    await Deno.writeTextFile(`${dir}/submit_tasks.py`, program);
    const py = await new Deno.Command("python3", {
      args: ["submit_tasks.py", server.script],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assert.equal(py.code, 0, dec.decode(py.stderr));
    assert.equal(dec.decode(py.stdout), output);
    const end = await resultWithin(server.run, 10_000);
    assert.equal(end.code, 0, end.stderr);
  });
});

// ---------------------------------------------------------------- messages and fields

/** A message as the page writes it: its type and its top-level fields (true: optional). */
interface Written {
  t: string;
  fields: Map<string, boolean>;
  /** The text, for assertion messages. */
  text: string;
}

/**
 * Reads a pseudo-JSON message of the page (`{"t":"task","id":I,"timeout":S?}`): the top-level
 * field names, a value ending in `?` marking the field optional.
 */
function written(text: string): Written {
  const fields = new Map<string, boolean>();
  let depth = 0;
  let key: string | null = null;
  let value = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (depth === 1 && key === null) {
      const m = /^"(\w+)":/.exec(text.slice(i));
      if (m) {
        key = m[1];
        value = "";
        i += m[0].length - 1;
        continue;
      }
    }
    if ("{[".includes(c)) depth++;
    if ("}]".includes(c)) depth--;
    if (key !== null && (depth === 0 || (depth === 1 && c === ","))) {
      fields.set(key, value.trim().endsWith("?"));
      key = null;
    } else if (key !== null) value += c;
  }
  const t = fields.has("t") ? /"t":"(\w+)"/.exec(text)![1] : "";
  fields.delete("t");
  return { t, fields, text };
}

/** Inline `{"t":…}` code spans of a piece of the page (table cells, text). */
function inlineMessages(text: string): Written[] {
  return [...text.matchAll(/`(\{"t":[^`]*\})`/g)].map((m) => written(m[1].replaceAll("\\|", "|")));
}

/** The cells of the table rows of a section (escaped pipes kept inside their cell). */
function tableRows(section: string): string[][] {
  return section.split("\n").filter((l) => l.startsWith("|") && !/^\|[-| ]+\|$/.test(l))
    .map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

/** The `## name` section of the page. */
function section(page: string, name: string): string {
  const from = page.indexOf(`\n## ${name}\n`);
  assert.ok(from >= 0, `docs/protocol.md has no section ${name}`);
  const to = page.indexOf("\n## ", from + 1);
  return page.slice(from, to < 0 ? page.length : to);
}

/**
 * What the page says each message of a direction carries: the union of the fields of all the
 * forms it shows; a field missing from some form is optional.
 */
function merge(forms: Written[]): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  for (const t of new Set(forms.map((f) => f.t))) {
    const same = forms.filter((f) => f.t === t);
    const fields = new Map<string, boolean>();
    for (const f of same) {
      for (const [name, opt] of f.fields) {
        fields.set(name, fields.get(name) === true || opt || same.some((g) => !g.fields.has(name)));
      }
    }
    out.set(t, fields);
  }
  return out;
}

/**
 * What the schema says: message types and their fields (true: optional). A command is one
 * field for the page (`"cmd":…`, exactly one of cmd and cmd64 on the wire).
 */
function schemaFields(d: AnyDirection): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  for (const [t, shape] of Object.entries(d.shapes)) {
    const fields = new Map(Object.entries(shape).map(([n, k]) => [n, k.optional]));
    if (fields.has("cmd64")) {
      fields.delete("cmd64");
      fields.set("cmd", false);
    }
    out.set(t, fields);
  }
  return out;
}

function sorted(m: Map<string, Map<string, boolean>>): Record<string, Record<string, boolean>> {
  return Object.fromEntries(
    [...m].sort(([a], [b]) => a.localeCompare(b)).map((
      [t, f],
    ) => [t, Object.fromEntries([...f].sort(([a], [b]) => a.localeCompare(b)))]),
  );
}

function assertSameKeys(doc: Iterable<string>, shape: Shape | undefined, what: string): void {
  assert.deepEqual([...doc].sort(), Object.keys(shape ?? {}).sort(), what);
}

Deno.test("docs/protocol.md lists the messages and fields of src/protocol, direction by direction", async () => {
  const page = await Deno.readTextFile(`${ROOT}/docs/protocol.md`);
  const bye = inlineMessages(section(page, "Ending a connection"));
  assert.deepEqual(bye.map((b) => b.t), ["bye"]);

  // Tables with a "from" and a "message" column.
  const byRole = (name: string, senders: Record<string, Written[]>) => {
    const [header, ...rows] = tableRows(section(page, name));
    for (const row of rows) {
      const from = senders[row[header.indexOf("from")]];
      assert.ok(from, `${name}: a message from ${row[header.indexOf("from")]}`);
      from.push(...inlineMessages(row[header.indexOf("message")]));
    }
  };
  const handshake = { driver: [] as Written[], peer: [] as Written[] };
  byRole("Handshake", handshake);
  const contexts = { driver: [...bye], context: [...bye] };
  byRole("Contexts", contexts);
  const engines = { driver: [...bye], engine: [...bye] };
  byRole("Engines", engines);

  // Clients: requests in the table's first column; everything else the section shows (answers,
  // JSON examples, the end of the run) comes from the driver.
  const clients = section(page, "Clients and monitors");
  const requests = [...bye];
  const answers = [...bye];
  for (const row of tableRows(clients).slice(1)) {
    requests.push(...inlineMessages(row[0]));
    answers.push(...inlineMessages(row[1]));
  }
  const prose = clients.split("\n").filter((l) => !l.startsWith("|")).join("\n");
  answers.push(...inlineMessages(prose));
  const examples = [...prose.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => m[1].trim());
  answers.push(...examples.map(written));

  const compare: [AnyDirection, Written[]][] = [
    [driverHandshake, handshake.driver],
    [peerHandshake, handshake.peer],
    [driverToContext, contexts.driver],
    [contextToDriver, contexts.context],
    [driverToEngine, engines.driver],
    [engineToDriver, engines.engine],
    [clientToDriver, requests],
    [driverToClient, answers],
  ];
  for (const [d, forms] of compare) {
    assert.deepEqual(sorted(merge(forms)), sorted(schemaFields(d)), d.name);
  }

  // The JSON examples are real messages, complete down to their nested records.
  for (const text of examples) {
    const m = decodeDriverToClient(JSON.parse(text));
    if (m.t === "result") assertSameKeys(Object.keys(m.result), taskResultShape, "result record");
    if (m.t === "accepted") assertSameKeys(Object.keys(m.ids[0]), idRangeShape, "id range");
  }

  // RUN, written as a list of keys with the nested objects' keys.
  const run = /`RUN` is `(\{[^`]*\})`/.exec(page);
  assert.ok(run, "docs/protocol.md describes RUN");
  const runKeys = JSON.parse(run[1].replace(/"(\w+)"(?!:)/g, '"$1":null'));
  assertSameKeys(Object.keys(runKeys), runInfoShape, "RUN");
  for (const [k, v] of Object.entries(runKeys)) {
    if (v !== null) {
      assertSameKeys(Object.keys(v as object), runInfoShape[k as "defaults"].shape, k);
    }
  }

  // STATE: the table's first column, and the fields of its list entries.
  const state = page.slice(page.indexOf("**`STATE`**"));
  const rows = tableRows(state.slice(0, state.indexOf("\n\n", state.indexOf("| field |"))));
  const names = rows.slice(1).flatMap((r) => [...r[0].matchAll(/`(\w+)`/g)].map((m) => m[1]));
  assertSameKeys(names, runStateShape, "STATE");
  const lists = Object.entries(runStateShape).filter(([, k]) => k.item?.shape).map(([n]) => n);
  for (const row of rows.slice(1)) {
    const list = /`\{([\w, ]+)\}`/.exec(row[1]);
    if (!list) continue;
    const name = /`(\w+)`/.exec(row[0])![1] as keyof typeof runStateShape;
    // A list's entries, or an object's fields (engineTotals).
    const kind: AnyKind = runStateShape[name];
    assertSameKeys(list[1].split(/,\s*/), kind.item?.shape ?? kind.shape, `STATE ${name}`);
    if (kind.item) lists.splice(lists.indexOf(name), 1);
  }
  assert.deepEqual(lists, [], "STATE: the fields of these lists are not described");
});
