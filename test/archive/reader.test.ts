// The archive reader: Velero's own archives, integrity, and refusing unsafe or off-layout entries.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  type ArchiveCopies,
  type ArchiveEntry,
  ArchiveFormatError,
  type ArchiveFormatReason,
  ArchiveIntegrityError,
  readArchive,
  verifyArchive,
} from "../../src/archive/index.js";
import { buildArchive } from "./build-archive.js";

const veleroArchive = readFileSync(new URL("fixtures/velero-1.1.0.tar.gz", import.meta.url));
const veleroItems = JSON.parse(
  readFileSync(new URL("fixtures/velero-1.1.0.items.json", import.meta.url), "utf8"),
) as { gr: string; name: string; onlyDir?: string; object: Record<string, unknown> }[];

async function read(bytes: Buffer, options: { copies?: ArchiveCopies; expectedSha256?: string } = {}) {
  const reader = readArchive(Readable.from([bytes]), options);
  const entries: ArchiveEntry[] = [];
  for await (const entry of reader) entries.push(entry);
  return { entries, reader };
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A tar built header by header, for entries no honest writer produces. */
function rawTar(entries: { name: string; body?: string; type?: string; linkName?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? "");
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, "utf8");
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write(entry.type ?? "0", 156);
    header.write(entry.linkName ?? "", 157, 100);
    header.write("ustar\u000000", 257, "latin1");
    header.fill(" ", 148, 156);
    const sum = header.reduce((total, byte) => total + byte, 0);
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)]));
}

const version = { name: "metadata/version", body: "1.1.0\n" };
const dbSecret = JSON.stringify({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "shop" },
});

/** A tar made by GNU tar from files laid out in a directory. */
function systemTar(files: Record<string, string>, args: string[], members: string[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "tar-src-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const out = join(mkdtempSync(join(tmpdir(), "tar-out-")), "a.tar.gz");
  execFileSync("tar", ["-czf", out, ...args, "-C", dir, ...members]);
  return readFileSync(out);
}

async function refusal(bytes: Buffer): Promise<ArchiveFormatError> {
  const error = await read(bytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveFormatError);
  return error as ArchiveFormatError;
}

describe("readArchive on a Velero archive written by Go's archive/tar", () => {
  it("yields one canonical copy per item, from the group-resource directories", async () => {
    const { entries, reader } = await read(veleroArchive);
    expect(reader.formatVersion).toBe("1.1.0");
    const expected = veleroItems.filter((item) => !item.onlyDir);
    expect(entries.map((e) => e.object)).toEqual(expected.map((item) => item.object));
    expect(entries.every((e) => e.version === undefined && !e.preferred)).toBe(true);
    const crd = entries.find((e) => e.resource === "customresourcedefinitions");
    expect(crd).toMatchObject({ group: "apiextensions.k8s.io", scope: "cluster" });
    expect(crd?.name.length).toBeGreaterThan(100);
    const secret = entries.find((e) => e.resource === "secrets");
    expect(secret?.object.metadata).toEqual({
      namespace: "shop",
      name: "db",
      annotations: { note: "<b>&amp;</b>" },
    });
    expect(reader.digest).toEqual({ sha256: sha256(veleroArchive), sizeBytes: veleroArchive.length });
  });

  it("yields the preferred-version copies, or every copy including other API versions", async () => {
    const preferred = (await read(veleroArchive, { copies: "preferredVersion" })).entries;
    expect(preferred.map((e) => [e.resource, e.version, e.preferred])).toContainEqual([
      "horizontalpodautoscalers",
      "v2",
      true,
    ]);
    expect(preferred).toHaveLength(7);
    const all = (await read(veleroArchive, { copies: "all" })).entries;
    expect(all).toHaveLength(15);
    const otherVersion = all.find((e) => e.version === "v1" && e.resource === "horizontalpodautoscalers");
    expect(otherVersion).toMatchObject({
      path: "resources/horizontalpodautoscalers.autoscaling/v1/namespaces/shop/web.json",
      group: "autoscaling",
      preferred: false,
      scope: "namespaced",
      namespace: "shop",
      name: "web",
    });
    expect(otherVersion?.object.apiVersion).toBe("autoscaling/v1");
  });

  it("reads Velero's format 1 archives (before the preferred-version directories)", async () => {
    const { entries, reader } = await read(
      rawTar([
        { name: "metadata/version", body: "1\n" },
        { name: "resources/secrets/namespaces/shop/db.json", body: dbSecret },
      ]),
    );
    expect(reader.formatVersion).toBe("1");
    expect(entries.map((e) => e.path)).toEqual(["resources/secrets/namespaces/shop/db.json"]);
  });

  it("reads GNU tar's long names and PAX headers, and skips directory entries", async () => {
    const longName = `cm-${"x".repeat(200)}`;
    const files = {
      "metadata/version": "1.1.0\n",
      [`resources/configmaps/namespaces/shop/${longName}.json`]: JSON.stringify({ kind: "ConfigMap" }),
    };
    for (const format of ["--format=gnu", "--format=pax"]) {
      const { entries } = await read(systemTar(files, [format], ["metadata", "resources"]));
      expect(entries.map((e) => e.name)).toEqual([longName]);
    }
  });
});

describe("integrity", () => {
  const tamper = (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    const at = Math.floor(copy.length / 2);
    copy[at] = (copy[at] ?? 0) ^ 0xff;
    return copy;
  };

  it("verifyArchive hashes the compressed bytes and refuses a tampered byte with ArchiveTampered", async () => {
    const { bytes, summary } = await buildArchive([JSON.parse(dbSecret)]);
    await expect(verifyArchive(Readable.from([bytes]), summary.sha256)).resolves.toEqual({
      sha256: summary.sha256,
      sizeBytes: bytes.length,
    });
    const error = await verifyArchive(Readable.from([tamper(bytes)]), summary.sha256).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveIntegrityError);
    expect(error).toMatchObject({ code: "ArchiveTampered", expectedSha256: summary.sha256 });
  });

  it("readArchive with expectedSha256 reports a tampered or truncated archive as ArchiveTampered", async () => {
    const expectedSha256 = sha256(veleroArchive);
    await expect(read(veleroArchive, { expectedSha256 })).resolves.toBeDefined();
    for (const damaged of [tamper(veleroArchive), veleroArchive.subarray(0, veleroArchive.length - 100)]) {
      await expect(read(damaged, { expectedSha256 })).rejects.toMatchObject({ code: "ArchiveTampered" });
    }
  });

  it("without a hash, a damaged archive is ArchiveInvalid", async () => {
    expect((await refusal(veleroArchive.subarray(0, veleroArchive.length - 100))).reason).toBe("corrupt");
    expect((await refusal(Buffer.from("not a gzip stream at all"))).reason).toBe("corrupt");
  });
});

describe("refusing unsafe and off-layout archives", () => {
  it.each<[string, { name: string; body?: string; type?: string; linkName?: string }, ArchiveFormatReason]>([
    [
      "a '..' traversal",
      { name: "resources/secrets/namespaces/../../../../tmp/evil.json", body: "{}" },
      "unsafe-path",
    ],
    ["an absolute path", { name: "/etc/cron.d/evil", body: "x" }, "unsafe-path"],
    ["a backslash path", { name: "resources\\..\\evil.json", body: "{}" }, "unsafe-path"],
    ["an item named '..'", { name: "resources/secrets/namespaces/shop/...json", body: "{}" }, "unsafe-path"],
    [
      "a symbolic link",
      { name: "resources/secrets/namespaces/shop/db.json", type: "2", linkName: "/etc/passwd" },
      "link",
    ],
    [
      "a hard link",
      { name: "resources/secrets/namespaces/shop/db.json", type: "1", linkName: "metadata/version" },
      "link",
    ],
    ["a device file", { name: "resources/secrets/namespaces/shop/db.json", type: "3" }, "layout"],
    ["a file outside resources/", { name: "etc/passwd", body: "root" }, "layout"],
    ["an item without a scope directory", { name: "resources/secrets/db.json", body: dbSecret }, "layout"],
    [
      "an item that is not .json",
      { name: "resources/secrets/namespaces/shop/db.yaml", body: dbSecret },
      "layout",
    ],
    ["another metadata file", { name: "metadata/evil", body: "x" }, "layout"],
    [
      "an item that is not JSON",
      { name: "resources/secrets/namespaces/shop/db.json", body: "{nope" },
      "corrupt",
    ],
    [
      "an item that is a JSON array",
      { name: "resources/secrets/namespaces/shop/db.json", body: "[]" },
      "corrupt",
    ],
  ])("refuses %s", async (_case, entry, reason) => {
    const error = await refusal(rawTar([version, entry]));
    expect(error).toMatchObject({ code: "ArchiveInvalid", reason });
  });

  it("refuses symbolic and hard links made by GNU tar", async () => {
    const dir = mkdtempSync(join(tmpdir(), "links-"));
    mkdirSync(join(dir, "metadata"));
    mkdirSync(join(dir, "resources/secrets/namespaces/shop"), { recursive: true });
    writeFileSync(join(dir, "metadata/version"), "1.1.0\n");
    symlinkSync("/etc/passwd", join(dir, "resources/secrets/namespaces/shop/db.json"));
    writeFileSync(join(dir, "resources/secrets/namespaces/shop/a.json"), "{}");
    linkSync(
      join(dir, "resources/secrets/namespaces/shop/a.json"),
      join(dir, "resources/secrets/namespaces/shop/b.json"),
    );
    const out = join(dir, "out.tar.gz");
    for (const member of ["resources/secrets/namespaces/shop/db.json", "resources/secrets/namespaces/shop"]) {
      execFileSync("tar", ["-czf", out, "-C", dir, "metadata/version", member]);
      expect((await refusal(readFileSync(out))).reason).toBe("link");
    }
  });

  it("refuses a missing, repeated, late or unsupported metadata/version", async () => {
    const item = { name: "resources/secrets/namespaces/shop/db.json", body: dbSecret };
    expect((await refusal(rawTar([item]))).reason).toBe("layout");
    expect((await refusal(rawTar([]))).reason).toBe("layout");
    expect((await refusal(rawTar([version, version]))).reason).toBe("layout");
    expect((await refusal(rawTar([item, version]))).reason).toBe("layout");
    const unsupported = await refusal(rawTar([{ name: "metadata/version", body: "2.0.0\n" }, item]));
    expect(unsupported.reason).toBe("unsupported-version");
    expect(unsupported.message).toContain("2.0.0");
  });
});

describe("streaming", () => {
  it("stops reading when aborted", async () => {
    const { bytes } = await buildArchive([
      JSON.parse(dbSecret),
      { ...JSON.parse(dbSecret), metadata: { name: "b", namespace: "shop" } },
    ]);
    const controller = new AbortController();
    const reader = readArchive(Readable.from([bytes]), { abortSignal: controller.signal });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const entry of reader) {
          seen.push(entry.name);
          controller.abort(new Error("restore cancelled"));
        }
      })(),
    ).rejects.toThrow("restore cancelled");
    expect(seen).toEqual(["db"]);
  });

  it("releases the source when the consumer stops early, and can be iterated only once", async () => {
    const { bytes } = await buildArchive([JSON.parse(dbSecret)]);
    const source = Readable.from([bytes.subarray(0, 40), bytes.subarray(40)]);
    const reader = readArchive(source);
    for await (const _entry of reader) break;
    expect(source.destroyed).toBe(true);
    await expect(reader[Symbol.asyncIterator]().next()).rejects.toThrow("only once");
  });
});
