// The resource list as Velero lays it out, written while a backup runs: every name of every type
// with items, whatever the number of pages and however the text is cut for zlib.
import { buffer } from "node:stream/consumers";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ResourceListWriter } from "../../src/backup/resource-list.js";

describe("ResourceListWriter", () => {
  it("writes each type's names in order, across many pages, and leaves out types without items", async () => {
    const writer = new ResourceListWriter();
    const read = buffer(writer.stream);
    const expected: Record<string, string[]> = {};
    for (const [key, pages] of [
      ["v1/ConfigMap", 40],
      ["apps/v1/Deployment", 0],
      ["example.com/v1/Widget", 3],
      ["v1/Namespace", 1],
    ] as const) {
      writer.beginType(key);
      for (let page = 0; page < pages; page++) {
        const names = Array.from({ length: 500 }, (_, i) =>
          key === "v1/Namespace" ? `ns-${i}` : `ns-${i % 7}/item-${page}-${i} "quoted" \\ é`,
        );
        await writer.add(names);
        expected[key] = [...(expected[key] ?? []), ...names];
      }
      await writer.endType();
    }
    await writer.finish();
    const text = gunzipSync(await read).toString("utf8");
    // More than the writer hands to zlib at once, so it was written in several pieces.
    expect(text.length).toBeGreaterThan(600_000);
    expect(JSON.parse(text)).toEqual(expected);
    expect(Object.keys(JSON.parse(text))).toEqual(["v1/ConfigMap", "example.com/v1/Widget", "v1/Namespace"]);
  });

  it("writes {} when no type had items", async () => {
    const writer = new ResourceListWriter();
    const read = buffer(writer.stream);
    writer.beginType("v1/Secret");
    await writer.endType();
    await writer.finish();
    expect(gunzipSync(await read).toString("utf8")).toBe("{}");
  });
});
