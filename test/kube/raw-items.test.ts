// The item scanner a backup relies on to archive the server's bytes: every element of the top-level
// "items" array found exactly, whatever its strings contain, and any doubt reported, not guessed.
import { describe, expect, it } from "vitest";
import { ItemJsonPrefixes, scanListItems } from "../../src/kube/raw-items.js";

function itemsOf(text: string): string[] | undefined {
  const body = Buffer.from(text);
  JSON.parse(text);
  return scanListItems(body)?.map((s) => body.subarray(s.start, s.end).toString("utf8"));
}

describe("scanListItems", () => {
  it("finds each item of a compact list, in order, with the exact bytes", () => {
    const items = [
      { kind: "ConfigMap", metadata: { name: "a" }, data: { x: "1" } },
      { metadata: { name: "b", labels: {} }, list: [1, [2, [3]], { deep: [] }] },
      {},
    ];
    const text = JSON.stringify({ kind: "ConfigMapList", apiVersion: "v1", metadata: {}, items });
    expect(itemsOf(text)).toEqual(items.map((i) => JSON.stringify(i)));
  });

  it("is not misled by quotes, backslashes and brackets inside strings", () => {
    const items = [
      { a: 'he said "}]" and left \\', b: "\\\\", c: '\\"{[' },
      { 'key with "quote" and ]': "]}{[", e: "ends with backslash\\" },
      { script: '#!/bin/sh\necho "{\\"items\\": [1,2]}"\n' },
    ];
    const text = JSON.stringify({ items });
    expect(itemsOf(text)).toEqual(items.map((i) => JSON.stringify(i)));
    expect(itemsOf(text)?.map((t) => JSON.parse(t))).toEqual(items);
  });

  it("keeps unicode and escapes as the server wrote them", () => {
    const text =
      '{"items":[{"name":"caf\u00e9 \u{1F600}","esc":"\\u003cb\\u003e \\ud83d\\ude00 \\/"},{"n":"\\u0022"}]}';
    const found = itemsOf(text);
    expect(found).toEqual([
      '{"name":"caf\u00e9 \u{1F600}","esc":"\\u003cb\\u003e \\ud83d\\ude00 \\/"}',
      '{"n":"\\u0022"}',
    ]);
    expect(JSON.parse(found?.[0] ?? "")).toEqual({ name: "caf\u00e9 \u{1F600}", esc: "<b> \u{1F600} /" });
  });

  it("finds the top-level items key wherever it is, and only that one", () => {
    const text = JSON.stringify({
      metadata: { items: [{ decoy: true }], note: '"items":[{"x":1}]' },
      items: [{ real: 1 }, { real: 2 }],
      kind: "List",
    });
    expect(itemsOf(text)).toEqual(['{"real":1}', '{"real":2}']);
  });

  it("marks items that are not compact, and tolerates whitespace between them", () => {
    const text = '{ "items" : [ {"a":1} , {"b": [1, 2]},\n{"c":"x y"} ] }';
    const body = Buffer.from(text);
    const spans = scanListItems(body) ?? [];
    expect(spans.map((s) => body.subarray(s.start, s.end).toString())).toEqual([
      '{"a":1}',
      '{"b": [1, 2]}',
      '{"c":"x y"}',
    ]);
    expect(spans.map((s) => s.compact)).toEqual([true, false, true]);
  });

  it("gives up when there is no items array of objects", () => {
    expect(itemsOf('{"kind":"Status","code":410}')).toBeUndefined();
    expect(itemsOf('{"items":null}')).toBeUndefined();
    expect(itemsOf('{"items":[1,2]}')).toBeUndefined();
    expect(itemsOf('{"items":[]}')).toEqual([]);
  });
});

describe("ItemJsonPrefixes", () => {
  const prefixes = new ItemJsonPrefixes("apps/v1", "Deployment");
  const joined = (parts: readonly Buffer[] | undefined) => Buffer.concat(parts ?? []).toString();

  it("puts the apiVersion and kind the server left out first, and keeps its bytes otherwise", () => {
    const json = Buffer.from('{"metadata":{"name":"web"},"spec":{}}');
    const both = joined(prefixes.parts(json, undefined, undefined));
    expect(both).toBe('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{}}');
    expect(JSON.parse(both)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {},
    });
    const own = Buffer.from('{"kind":"Deployment","metadata":{}}');
    expect(joined(prefixes.parts(own, undefined, "Deployment"))).toBe(
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{}}',
    );
    expect(prefixes.parts(own, "apps/v1", "Deployment")).toEqual([own]);
    expect(joined(prefixes.parts(Buffer.from("{}"), undefined, undefined))).toBe(
      '{"apiVersion":"apps/v1","kind":"Deployment"}',
    );
  });

  it("declines when a field is null (the bytes would then hold it twice)", () => {
    expect(prefixes.parts(Buffer.from('{"kind":null}'), undefined, null)).toBeUndefined();
  });
});
