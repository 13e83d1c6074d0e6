import assert from "node:assert/strict";
import { CAN_MOUNT, MOUNT_NOTE, withTmpfs } from "../../tests/fault_mounts.ts";
import { runFiles } from "../protocol/run_files.ts";
import { CaptureWriter, removeCaptureFiles } from "./capture_writer.ts";
import { listCaptureFiles, readAllAttempts, readChunks } from "./capture_reader.ts";
import { CAPTURE_INDEX_HEADER } from "./capture_index.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

Deno.test("CaptureWriter: interleaved tasks read back byte for byte, capped per stream", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const prefix = `${dir}/run`;
    const errors: string[] = [];
    const w = new CaptureWriter(prefix, 3, (m) => errors.push(m));
    assert.deepEqual(await listCaptureFiles(prefix), [], "nothing before the first task");
    const a = w.start(7, 4);
    const b = w.start(8, 100);
    a.stdout(bytes(0, 255, 10));
    b.stderr(bytes(1, 2));
    a.stdout(bytes(0x41, 0x42, 0x43)); // only one more byte fits
    a.stderr(bytes(9));
    b.stdout(new Uint8Array(0));
    a.end();
    a.stdout(bytes(5)); // after the end: not kept
    a.end();
    b.end();
    w.close();
    assert.deepEqual(errors, []);
    const index = await Deno.readTextFile(runFiles.captureIndex(prefix, 3));
    assert.ok(index.startsWith(CAPTURE_INDEX_HEADER));
    assert.equal(index.match(/^E 7 /gm)?.length, 1, "one end record");
    assert.match(index, /^E 7 6 1 1$/m);
    assert.match(index, /^E 8 0 2 0$/m);
    const all = await readAllAttempts(prefix);
    const [t7] = all.get(7)!, [t8] = all.get(8)!;
    assert.deepEqual(await readChunks(t7.data, t7.out), bytes(0, 255, 10, 0x41));
    assert.deepEqual(await readChunks(t7.data, t7.err), bytes(9));
    assert.deepEqual(await readChunks(t8.data, t8.err), bytes(1, 2));
    assert.deepEqual(t7.end, { outSeen: 6, errSeen: 1, truncated: true });
    assert.deepEqual(await removeCaptureFiles(prefix), []);
    assert.deepEqual(await listCaptureFiles(prefix), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CaptureWriter: a vanished directory stops capturing with one line", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.remove(dir);
  const errors: string[] = [];
  const w = new CaptureWriter(`${dir}/run`, 0, (m) => errors.push(m));
  for (let id = 0; id < 3; id++) {
    const t = w.start(id, 10);
    t.stdout(bytes(1));
    t.end();
  }
  w.close();
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(
    errors[0],
    /^output capture stopped: cannot write .*run_capture_0\.out: .*\(os error 2\)$/,
  );
  assert.ok(!errors[0].includes("\n"));
});

Deno.test({
  name: "CaptureWriter: a full disk leaves whole records that point at bytes that are there",
  ignore: !CAN_MOUNT,
  fn: async () => {
    await withTmpfs(64 * 1024, async ({ dir }) => {
      const prefix = `${dir}/run`;
      const errors: string[] = [];
      const w = new CaptureWriter(prefix, 0, (m) => errors.push(m));
      const chunk = new Uint8Array(1000).fill(0x61);
      for (let id = 0; id < 200; id++) {
        const t = w.start(id, 1 << 20);
        t.stdout(chunk);
        t.end();
      }
      w.close();
      assert.equal(errors.length, 1);
      assert.match(errors[0], /No space left on device/);
      const index = await Deno.readTextFile(runFiles.captureIndex(prefix, 0));
      assert.ok(index.endsWith("\n"), "no torn record");
      const all = await readAllAttempts(prefix);
      assert.ok(all.size > 10);
      for (const [a] of all.values()) {
        assert.deepEqual(await readChunks(a.data, a.out), chunk.subarray(0, a.out[0]?.length ?? 0));
      }
    });
  },
});
if (!CAN_MOUNT) console.log(`CaptureWriter disk-full test: ${MOUNT_NOTE}`);
