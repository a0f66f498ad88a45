// Memory stays flat with cluster size: the writer waits for a slow consumer instead of buffering,
// and the reader holds one entry at a time.
import { createReadStream, createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { ArchiveWriter, readArchive } from "../../src/archive/index.js";

const ITEMS = 200_000;
const MB = 1024 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** JavaScript heap plus Buffer memory, which lives outside the heap. */
function memoryUsed(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function configMap(i: number) {
  const namespace = `ns-${i % 200}`;
  const name = `settings-${i}`;
  return {
    group: "",
    version: "v1",
    resource: "configmaps",
    kind: "ConfigMap",
    namespace,
    name,
    object: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace, uid: `uid-${i}` },
      data: { n: `${i}` },
    },
  };
}

it(`writes ${ITEMS} items through a slow consumer and reads them back with flat memory`, async () => {
  const file = join(mkdtempSync(join(tmpdir(), "archive-memory-")), "big.tar.gz");
  const disk = createWriteStream(file);
  // A slow blob upload: every 4th chunk waits for a timer.
  let chunks = 0;
  const slowUpload = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      disk.write(chunk, () => (++chunks % 4 === 0 ? setTimeout(callback, 1) : callback()));
    },
    final(callback) {
      disk.end(callback);
    },
  });

  const before = memoryUsed();
  const writer = new ArchiveWriter({ createdAt: new Date("2026-01-01T00:00:00Z") });
  const upload = pipeline(writer.stream, slowUpload);
  let peakGrowth = 0;
  let peakBuffered = 0;
  for (let i = 0; i < ITEMS; i++) {
    await writer.add(configMap(i));
    if (i % 1000 === 0) peakBuffered = Math.max(peakBuffered, writer.stream.readableLength);
    if (i % 20_000 === 0) peakGrowth = Math.max(peakGrowth, memoryUsed() - before);
  }
  const summary = await writer.finish();
  await upload;
  peakGrowth = Math.max(peakGrowth, memoryUsed() - before);

  expect(summary.itemCount).toBe(ITEMS);
  expect(peakBuffered).toBeLessThan(1 * MB);
  expect(peakGrowth).toBeLessThan(64 * MB);

  const readBefore = memoryUsed();
  let readPeak = 0;
  let count = 0;
  for await (const entry of readArchive(createReadStream(file), { expectedSha256: summary.sha256 })) {
    if (++count % 20_000 === 0) readPeak = Math.max(readPeak, memoryUsed() - readBefore);
    expect(entry.name).toBe(`settings-${count - 1}`);
  }
  expect(count).toBe(ITEMS);
  expect(readPeak).toBeLessThan(64 * MB);
}, 60_000);
