// The list scanner a backup relies on to archive the server's bytes and select on a few fields
// without parsing every object: every element of the top-level "items" array found exactly,
// whatever its strings contain; the fields it reads equal to what JSON.parse reads; and any doubt
// (a malformed or unusual body) reported as undefined, never guessed.
import { describe, expect, it } from "vitest";
import { type ItemFields, ItemJsonPrefixes, type ScannedList, scanList } from "../../src/kube/raw-items.js";
import { loadManifests } from "../helpers/manifests.js";

function scan(text: string, read: ItemFields = "identity"): ScannedList | undefined {
  return scanList(Buffer.from(text), read);
}

function itemsOf(text: string): string[] | undefined {
  const body = Buffer.from(text);
  JSON.parse(text);
  return scanList(body)?.spans.map((s) => body.subarray(s.start, s.end).toString("utf8"));
}

interface Parsed {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: unknown };
}

/** What JSON.parse makes of the fields the identity holds. */
function identityOf(item: Parsed): Parsed {
  const identity: Parsed = {};
  if ("apiVersion" in item) identity.apiVersion = item.apiVersion;
  if ("kind" in item) identity.kind = item.kind;
  if (item.metadata !== undefined) {
    const { name, namespace, labels } = item.metadata;
    identity.metadata = {
      ...(name !== undefined ? { name } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(labels !== undefined ? { labels } : {}),
    };
  }
  return identity;
}

describe("scanList: item spans", () => {
  it("finds each item of a compact list, in order, with the exact bytes", () => {
    const items = [
      { kind: "ConfigMap", metadata: { name: "a" }, data: { x: "1" } },
      { metadata: { name: "b", labels: {} }, list: [1, [2, [3]], { deep: [] }], n: -1.5e3, t: true, z: null },
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

  it("finds the top-level items and metadata wherever they are, and only those", () => {
    const text = JSON.stringify({
      items: [{ real: 1 }, { real: 2 }],
      kind: "List",
      metadata: { continue: "token-1", items: [{ decoy: true }], note: '"items":[{"x":1}]' },
    });
    expect(itemsOf(text)).toEqual(['{"real":1}', '{"real":2}']);
    expect(scan(text)?.metadata).toEqual({
      continue: "token-1",
      items: [{ decoy: true }],
      note: '"items":[{"x":1}]',
    });
  });

  it("marks items that are not compact, parses those whole, and tolerates whitespace between tokens", () => {
    const text =
      '{ "items" : [ {"a":1} , {"b": [1, 2], "metadata":{"name":"n"}},\n{"c":"x y"}, {"d":{"e" :1}} ] }\n';
    const body = Buffer.from(text);
    const scanned = scanList(body);
    expect(scanned?.spans.map((s) => body.subarray(s.start, s.end).toString())).toEqual([
      '{"a":1}',
      '{"b": [1, 2], "metadata":{"name":"n"}}',
      '{"c":"x y"}',
      '{"d":{"e" :1}}',
    ]);
    expect(scanned?.spans.map((s) => s.compact)).toEqual([true, false, true, false]);
    expect(scanned?.items).toEqual([{}, { b: [1, 2], metadata: { name: "n" } }, {}, { d: { e: 1 } }]);
  });

  it("reads a list without items as empty, and gives up on items that are not objects", () => {
    expect(scan('{"kind":"Status","code":410}')).toEqual({ metadata: {}, spans: [], items: [] });
    expect(scan('{"items":null,"metadata":{"resourceVersion":"7"}}')).toEqual({
      metadata: { resourceVersion: "7" },
      spans: [],
      items: [],
    });
    expect(scan('{"items":[]}')).toEqual({ metadata: {}, spans: [], items: [] });
    expect(scan('{"items":[1,2]}')).toBeUndefined();
    expect(scan('{"items":{"a":1}}')).toBeUndefined();
    expect(scan('[{"items":[]}]')).toBeUndefined();
  });
});

describe("scanList: identities", () => {
  it("holds apiVersion, kind and metadata's name, namespace and labels, as JSON.parse reads them", () => {
    const items = [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
          name: "web",
          namespace: "shop",
          uid: "1",
          labels: { app: "web", "example.com/tier": "caf\u00e9" },
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"Deployment"}\n' },
          managedFields: [{ manager: "kubectl", fieldsV1: { "f:metadata": { "f:labels": {} } } }],
        },
        spec: { replicas: 3 },
      },
      { metadata: { name: "no-kind" }, data: { a: "b" } },
      { kind: "Thing", spec: {} },
      { apiVersion: null, kind: "Nulls", metadata: { name: "n", labels: null, namespace: "" } },
    ];
    const text = JSON.stringify({ items });
    expect(scan(text)?.items).toEqual(items.map(identityOf));
    expect(scan(text, "whole")?.items).toEqual(items);
    const withoutLabels = items.map((item) => {
      const identity = identityOf(item);
      delete identity.metadata?.labels;
      return identity;
    });
    expect(scan(text, "names")?.items).toEqual(withoutLabels);
  });

  it("reads each item's own values when neighbours share or nearly share them", () => {
    const items = ["ns-a", "ns-a", "ns-b", "ns-b", "ns\u002da", "ns-a"].map((namespace, i) => ({
      apiVersion: i % 2 ? "v1" : "v2",
      kind: i < 3 ? "Kind" : "Kine",
      metadata: { name: `n${i}`, namespace },
    }));
    const text = JSON.stringify({ items }).replaceAll("\\\\u002d", "\\u002d");
    const parsed = (JSON.parse(text) as { items: Parsed[] }).items;
    expect(parsed[4]?.metadata?.namespace).toBe("ns-a");
    expect(scan(text)?.items).toEqual(parsed.map(identityOf));
  });

  it("decodes escapes in the fields it reads, and keeps the last of repeated keys as JSON.parse does", () => {
    const text =
      '{"items":[{"kind":"A","metadata":{"name":"x\\u0041\\"y","labels":{"k":"\\u00e9"}},"kind":"B","metadata":{"namespace":"ns"}}]}';
    expect(scan(text)?.items).toEqual([{ kind: "B", metadata: { namespace: "ns" } }]);
    expect(scan(text)?.items).toEqual((JSON.parse(text) as { items: Parsed[] }).items.map(identityOf));
  });

  it("agrees with JSON.parse on every object of the real-world manifest corpus", () => {
    const objects = loadManifests().flatMap((file) => file.documents);
    expect(objects.length).toBeGreaterThan(50);
    for (const text of [JSON.stringify({ items: objects }), JSON.stringify({ items: objects }, null, 1)]) {
      const body = Buffer.from(text);
      const scanned = scanList(body);
      expect(scanned?.items).toHaveLength(objects.length);
      for (const [i, object] of objects.entries()) {
        const span = scanned?.spans[i];
        const bytes = body.subarray(span?.start, span?.end).toString("utf8");
        expect(JSON.parse(bytes)).toEqual(object);
        // Indented items are not compact and come whole.
        expect(scanned?.items[i]).toEqual(span?.compact ? identityOf(object) : object);
      }
    }
  });
});

describe("scanList: malformed or unusual bodies", () => {
  const good = JSON.stringify({
    kind: "ConfigMapList",
    metadata: { continue: "c" },
    items: [
      { metadata: { name: "a", labels: { x: "[" } }, data: { k: 'v"}' }, n: [1.5, true, null] },
      { metadata: { name: "b" } },
    ],
  });

  it("gives up on every truncation of a list, never returning part of it", () => {
    expect(scan(good)?.items).toHaveLength(2);
    for (let cut = 0; cut < good.length; cut++) expect(scan(good.slice(0, cut))).toBeUndefined();
  });

  it("gives up on mismatched brackets, stray bytes and trailing garbage", () => {
    for (const text of [
      '{"items":[{"a":[1}]}]}',
      '{"items":[{"a":{"b":1]}]}',
      '{"items":[{"a":<html>}]}',
      '{"items":[{"a":1}]}x',
      '{"items":[{"a":1}]}{}',
      '{"items":[{"a":1},]}',
      '{"items":[{"a":1}}',
      '{"items":[{"metadata":{"name":"a",}}]}',
      '{"items":[{"metadata" "x"}]}',
      '{"metadata":{"continue":1',
    ]) {
      expect(scan(text), text).toBeUndefined();
    }
  });

  it("reads escaped keys as what they spell, and gives up on bad escapes", () => {
    expect(
      scan('{"items":[{"met\\u0061data":{"n\\u0061me":"x","a\\"b":1},"\\u006bind":"K"}]}')?.items,
    ).toEqual([{ metadata: { name: "x" }, kind: "K" }]);
    expect(scan('{"items":[{"k\\qind":"K"}]}')).toBeUndefined();
  });

  it("leaves to JSON.parse what it does not read exactly: repeated items, very deep nesting", () => {
    expect(scan('{"items":[{"a":1}],"items":[{"b":2}]}')).toBeUndefined();
    const deep = `{"items":[{"a":${"[".repeat(600)}${"]".repeat(600)}}]}`;
    expect(scan(deep)).toBeUndefined();
    const fine = `{"items":[{"a":${"[".repeat(100)}${"]".repeat(100)}}]}`;
    expect(scan(fine)?.spans).toHaveLength(1);
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
