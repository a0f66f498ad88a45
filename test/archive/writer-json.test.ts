// ArchiveWriter fed the server's bytes instead of objects: the archive is the same tar, parts are
// joined, and an item larger than a write batch crosses batches whole.
import { buffer } from "node:stream/consumers";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ArchiveWriter } from "../../src/archive/index.js";
import { buildArchive, itemOf, type KubeLike } from "./build-archive.js";

const createdAt = new Date("2026-01-01T02:00:00Z");
const big: KubeLike = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "big", namespace: "shop" },
  data: { blob: "x".repeat(3 * 1024 * 1024 + 17) },
};
const small: KubeLike = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "s", namespace: "shop" } };

async function writeWithJson(objects: KubeLike[], split: boolean): Promise<Buffer> {
  const writer = new ArchiveWriter({ createdAt });
  const collected = buffer(writer.stream);
  for (const object of objects) {
    const json = Buffer.from(JSON.stringify(object));
    const parts = split ? [json.subarray(0, 1), json.subarray(1, 5), json.subarray(5)] : [json];
    await writer.add({ ...itemOf(object), object: undefined, json: parts });
  }
  await writer.finish();
  return collected;
}

describe("ArchiveWriter with the items' JSON bytes", () => {
  it("writes the same archive as from the objects, whole or in parts, across write batches", async () => {
    const objects = [small, big, small, { ...small, metadata: { name: "t", namespace: "shop" } }];
    const { bytes: fromObjects } = await buildArchive(objects, { createdAt });
    const expected = gunzipSync(fromObjects);
    expect(gunzipSync(await writeWithJson(objects, false)).equals(expected)).toBe(true);
    expect(gunzipSync(await writeWithJson(objects, true)).equals(expected)).toBe(true);
  });
});
