// The archive writer: Velero's layout and entry format, the summary, and refusing unsafe names.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { type ArchiveEntry, ArchiveWriter, readArchive, UnsafeItemError } from "../../src/archive/index.js";
import { buildArchive, itemOf, type KubeLike } from "./build-archive.js";

const createdAt = new Date("2026-01-01T02:00:00.400Z");

const secret: KubeLike = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "shop" },
  data: { password: "aHVudGVyMg==" },
};
const deployment: KubeLike = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
};
const namespace: KubeLike = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } };
const clusterRole: KubeLike = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name: "system:controller:attachdetach-controller" },
  rules: [],
};
const sample = [itemOf(secret), itemOf(deployment), itemOf(namespace), itemOf(clusterRole, "clusterroles")];

function tempFile(name: string, bytes: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), "archive-")), name);
  writeFileSync(file, bytes);
  return file;
}

async function entriesOf(bytes: Buffer, copies: "all" | "groupResource" | "preferredVersion" = "all") {
  const entries: ArchiveEntry[] = [];
  for await (const entry of readArchive(Readable.from([bytes]), { copies })) entries.push(entry);
  return entries;
}

describe("ArchiveWriter", () => {
  it("writes metadata/version first, then each item at its group-resource path and under <version>-preferredversion", async () => {
    const { bytes } = await buildArchive(sample, { createdAt });
    const listed = execFileSync("tar", ["-tzf", tempFile("a.tar.gz", bytes)], { encoding: "utf8" });
    expect(listed.trim().split("\n")).toEqual([
      "metadata/version",
      "resources/secrets/namespaces/shop/db.json",
      "resources/secrets/v1-preferredversion/namespaces/shop/db.json",
      "resources/deployments.apps/namespaces/shop/web.json",
      "resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json",
      "resources/namespaces/cluster/shop.json",
      "resources/namespaces/v1-preferredversion/cluster/shop.json",
      "resources/clusterroles.rbac.authorization.k8s.io/cluster/system:controller:attachdetach-controller.json",
      "resources/clusterroles.rbac.authorization.k8s.io/v1-preferredversion/cluster/system:controller:attachdetach-controller.json",
    ]);
  });

  it("is byte for byte the tar Go's archive/tar writes for Velero (USTAR, prefix split, PAX)", async () => {
    // fixtures/go-golden.tar.gz: fixtures/velero-writer/main.go over these objects (keys sorted as
    // Go's json.Marshal sorts them, so the JSON bytes agree too).
    const objects: KubeLike[] = [
      { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x".repeat(200), namespace: "shop" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "y".repeat(90), namespace: "shop" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "z".repeat(60), namespace: "n".repeat(63) } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: `system:controller:${"a".repeat(230)}` },
      },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "café-ü", namespace: "shop" } },
    ];
    const items = objects.map((o) => itemOf(o, o.kind === "ClusterRole" ? "clusterroles" : undefined));
    const { bytes } = await buildArchive(items, { createdAt });
    const golden = gunzipSync(readFileSync(new URL("fixtures/go-golden.tar.gz", import.meta.url)));
    expect(gunzipSync(bytes).equals(golden)).toBe(true);
  });

  it("stores compact JSON without a trailing newline, mode 0755, owner 0/0 and the job's time", async () => {
    const { bytes } = await buildArchive(sample, { createdAt });
    const file = tempFile("a.tar.gz", bytes);
    const verbose = execFileSync("tar", ["-tvzf", file, "--full-time", "--numeric-owner"], {
      encoding: "utf8",
    });
    for (const line of verbose.trim().split("\n")) {
      expect(line).toMatch(/^-rwxr-xr-x 0\/0 +\d+ 2026-01-01 02:00:00 /);
    }
    const dir = mkdtempSync(join(tmpdir(), "extract-"));
    execFileSync("tar", ["-xzf", file, "-C", dir]);
    expect(readFileSync(join(dir, "metadata/version"), "utf8")).toBe("1.1.0\n");
    for (const [path, object] of [
      ["resources/secrets/namespaces/shop/db.json", secret],
      ["resources/secrets/v1-preferredversion/namespaces/shop/db.json", secret],
      ["resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json", deployment],
      ["resources/namespaces/cluster/shop.json", namespace],
    ] as const) {
      const text = readFileSync(join(dir, path), "utf8");
      expect(text).toBe(JSON.stringify(object));
      expect(JSON.parse(text)).toEqual(object);
    }
  });

  it("round-trips core and grouped, namespaced and cluster-scoped items through the reader", async () => {
    const { bytes } = await buildArchive(sample, { createdAt });
    const canonical = await entriesOf(bytes, "groupResource");
    expect(canonical.map((e) => [e.group, e.resource, e.scope, e.namespace, e.name])).toEqual([
      ["", "secrets", "namespaced", "shop", "db"],
      ["apps", "deployments", "namespaced", "shop", "web"],
      ["", "namespaces", "cluster", undefined, "shop"],
      [
        "rbac.authorization.k8s.io",
        "clusterroles",
        "cluster",
        undefined,
        "system:controller:attachdetach-controller",
      ],
    ]);
    expect(canonical.map((e) => e.object)).toEqual([secret, deployment, namespace, clusterRole]);
    const preferred = await entriesOf(bytes, "preferredVersion");
    expect(preferred.map((e) => [e.version, e.preferred, e.object])).toEqual(
      [secret, deployment, namespace, clusterRole].map((o) => ["v1", true, o]),
    );
    expect(await entriesOf(bytes, "all")).toHaveLength(8);
  });

  it("sums up: SHA-256 of the compressed bytes, size, items and counts per Velero resourceList type", async () => {
    const extra = itemOf({ apiVersion: "v1", kind: "Secret", metadata: { name: "tls", namespace: "shop" } });
    const { bytes, summary } = await buildArchive([...sample, extra], { createdAt });
    const file = tempFile("a.tar.gz", bytes);
    expect(summary).toEqual({
      sha256: createHash("sha256").update(bytes).digest("hex"),
      sizeBytes: bytes.length,
      itemCount: 5,
      countsByType: {
        "v1/Secret": 2,
        "apps/v1/Deployment": 1,
        "v1/Namespace": 1,
        "rbac.authorization.k8s.io/v1/ClusterRole": 1,
      },
    });
    expect(execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0]).toBe(summary.sha256);
  });

  it("is deterministic: the same items at the same time give the same bytes", async () => {
    const first = await buildArchive(sample, { createdAt });
    const second = await buildArchive(sample, { createdAt });
    expect(second.summary.sha256).toBe(first.summary.sha256);
  });

  it("round-trips names past 100 characters (USTAR prefix and PAX path), also through system tar", async () => {
    const longName = `cm-${"x".repeat(240)}`;
    const longNamespace = "n".repeat(63);
    const objects: KubeLike[] = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: longName, namespace: longNamespace } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "y".repeat(90), namespace: "shop" } },
    ];
    const { bytes } = await buildArchive(objects, { createdAt });
    const entries = await entriesOf(bytes, "all");
    expect(entries.map((e) => [e.namespace, e.name])).toEqual([
      [longNamespace, longName],
      [longNamespace, longName],
      ["shop", "y".repeat(90)],
      ["shop", "y".repeat(90)],
    ]);
    const listed = execFileSync("tar", ["-tzf", tempFile("a.tar.gz", bytes)], { encoding: "utf8" });
    expect(listed).toContain(
      `resources/configmaps/v1-preferredversion/namespaces/${longNamespace}/${longName}.json`,
    );
  });

  it.each([
    ["a name with a slash", { name: "../../etc/cron.d/evil" }],
    ["a name of '..'", { name: ".." }],
    ["a name containing '..'", { name: "a..b" }],
    ["a name of '.'", { name: "." }],
    ["an empty name", { name: "" }],
    ["a name with NUL", { name: "db\0x" }],
    ["a name with a backslash", { name: "..\\..\\evil" }],
    ["a namespace with a slash", { namespace: "../../tmp" }],
    ["a resource with a dot", { resource: "secrets.evil" }],
    ["a group with '..'", { group: "apps..x" }],
    ["a version named like a scope directory", { version: "cluster" }],
  ])("refuses %s and writes nothing for it; the writer stays usable", async (_case, override) => {
    const writer = new ArchiveWriter({ createdAt });
    const collected = buffer(writer.stream);
    await expect(writer.add({ ...itemOf(secret), ...override })).rejects.toBeInstanceOf(UnsafeItemError);
    await writer.add(itemOf(namespace));
    const summary = await writer.finish();
    const entries = await entriesOf(await collected, "all");
    expect(entries.map((e) => e.path)).toEqual([
      "resources/namespaces/cluster/shop.json",
      "resources/namespaces/v1-preferredversion/cluster/shop.json",
    ]);
    expect(summary.itemCount).toBe(1);
  });

  it("abort destroys the stream with the error, so an upload fails instead of committing a short blob", async () => {
    const writer = new ArchiveWriter({ createdAt });
    const upload = buffer(writer.stream);
    await writer.add(itemOf(secret));
    const failure = new Error("listing failed");
    writer.abort(failure);
    await expect(upload).rejects.toBe(failure);
    await expect(writer.add(itemOf(namespace))).rejects.toBe(failure);
    await expect(writer.finish()).rejects.toBe(failure);
  });

  it("an abortSignal aborts it, including an add waiting for a stalled consumer", async () => {
    const controller = new AbortController();
    const writer = new ArchiveWriter({ createdAt, abortSignal: controller.signal });
    writer.stream.on("error", () => {});
    const big = { ...secret, data: { blob: createHash("sha512").update("x").digest("hex").repeat(2000) } };
    let pending: Promise<void> | undefined;
    for (let i = 0; i < 200 && !pending; i++) {
      const added = writer.add(itemOf({ ...big, metadata: { name: `s${i}`, namespace: "shop" } }));
      const state = await Promise.race([
        added.then(() => "done"),
        new Promise((r) => setTimeout(r, 5, "waiting")),
      ]);
      if (state === "waiting") pending = added;
    }
    expect(pending).toBeDefined();
    controller.abort(new Error("backup cancelled"));
    await expect(pending).rejects.toThrow("backup cancelled");
    await expect(writer.finish()).rejects.toThrow("backup cancelled");
  });

  it("fails pending and later calls when the consumer destroys the stream", async () => {
    const writer = new ArchiveWriter({ createdAt });
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error("blob upload failed"));
      },
    });
    writer.stream.pipe(sink);
    sink.on("error", () => writer.stream.destroy(new Error("blob upload failed")));
    writer.stream.on("error", () => {});
    const payload = { ...secret, data: { blob: "y".repeat(200_000) } };
    await expect(
      (async () => {
        for (let i = 0; i < 100; i++) {
          await writer.add(itemOf({ ...payload, metadata: { name: `s${i}`, namespace: "shop" } }));
        }
      })(),
    ).rejects.toThrow("blob upload failed");
    await expect(writer.finish()).rejects.toThrow();
  });
});
