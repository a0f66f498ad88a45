// Headers built in place in the writer's batch are the same bytes as the encoder's own, and the
// paths that need more than one USTAR block are left to it.
import { describe, expect, it } from "vitest";
import { fileHeaderEncoder } from "../../src/archive/tar-header.js";

describe("fileHeaderEncoder.encodeInto", () => {
  const encoder = fileHeaderEncoder({ mode: 0o755, mtime: 1_767_225_600 });

  it.each([
    ["metadata/version", 6],
    ["resources/configmaps/namespaces/ns/cm.json", 0],
    ["resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json", 8 ** 11 - 1],
    [`resources/x/${"n".repeat(88)}`, 123_456_789],
  ])("writes %s (size %i) as encode does, at any offset", (path, size) => {
    const target = Buffer.alloc(2048, 0xaa);
    expect(encoder.encodeInto(target, 700, path, size)).toBe(true);
    expect(target.subarray(700, 1212)).toEqual(encoder.encode(path, size));
    expect(target.subarray(0, 700).every((b) => b === 0xaa)).toBe(true);
    expect(target.subarray(1212).every((b) => b === 0xaa)).toBe(true);
  });

  it.each([
    ["a path longer than the name field", `resources/configmaps/namespaces/ns/${"n".repeat(80)}.json`, 1],
    ["a non-ASCII path", "resources/configmaps/namespaces/ns/caf\u00e9.json", 1],
    ["a NUL in the path", "resources/a\0b.json", 1],
    ["a size beyond 11 octal digits", "resources/big.json", 8 ** 11],
  ])("declines %s", (_case, path, size) => {
    expect(encoder.encodeInto(Buffer.alloc(512), 0, path, size)).toBe(false);
  });
});
