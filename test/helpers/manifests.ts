// The real-world manifest corpus (test/fixtures/manifests, see its SOURCES.md) loaded as documents,
// and the comparison "read back equal apart from what the server sets".
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/sim/kube/types.js";

export const MANIFEST_ROOT = join(import.meta.dirname, "..", "fixtures", "manifests");

export interface ManifestFile {
  /** Path relative to the corpus root, e.g. "velero/examples/nginx-app/with-pv.yaml". */
  path: string;
  text: string;
  documents: KubeObject[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? walk(full) : entry.endsWith(".yaml") ? [full] : [];
  });
}

export function loadManifests(): ManifestFile[] {
  return walk(MANIFEST_ROOT)
    .sort()
    .map((full) => {
      const text = readFileSync(full, "utf8");
      const documents = parseAllDocuments(text)
        .map((doc) => doc.toJS() as KubeObject | null)
        .filter((doc): doc is KubeObject => doc !== null && typeof doc === "object");
      return { path: relative(MANIFEST_ROOT, full), text, documents };
    });
}

/** The DaemonSet that has no spec.selector: a real server refuses it (see the corpus README). */
export const INVALID_MANIFEST = "k8s-dashboard/hack/test-resources/nginx-daemon-daemon-set.yaml";
/** Alternative definitions of foos.samplecontroller.k8s.io; only one may exist at a time. */
export const ALTERNATIVE_CRD = "sample-controller/artifacts/examples/crd-status-subresource.yaml";

export function isCrd(object: KubeObject): boolean {
  return object.kind === "CustomResourceDefinition";
}

/** A file-specific namespace for objects that name none, so same-named objects never collide. */
export function namespaceForFile(path: string): string {
  return `t-${path
    .replace(/\.yaml$/, "")
    .replace(/[^a-z0-9]+/gi, "-")
    .toLowerCase()}`
    .slice(0, 63)
    .replace(/-+$/, "");
}

/**
 * What the object must look like when read back: the manifest as a real server stores it.
 * Secrets' stringData becomes base64 data; null fields are dropped (Go's omitempty), so a
 * `creationTimestamp: null` is replaced by the server's and `from: null` reads back absent.
 */
export function expectedStoredForm(object: KubeObject): KubeObject {
  const expected = withoutNulls(object) as KubeObject;
  if (expected.metadata && expected.metadata.creationTimestamp === null)
    delete expected.metadata.creationTimestamp;
  if (expected.kind === "Secret" && expected.stringData && typeof expected.stringData === "object") {
    const data = { ...((expected.data as Record<string, string> | undefined) ?? {}) };
    for (const [key, value] of Object.entries(expected.stringData as Record<string, string>)) {
      data[key] = Buffer.from(value).toString("base64");
    }
    expected.data = data;
    delete expected.stringData;
  }
  return expected;
}

/** Paths at which `actual` lacks or differs from `expected` (every field of expected must be there). */
export function differences(expected: unknown, actual: unknown, path = ""): string[] {
  if (expected === null || typeof expected !== "object") {
    return Object.is(expected, actual)
      ? []
      : [`${path || "."}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`];
    }
    return expected.flatMap((item, index) => differences(item, actual[index], `${path}[${index}]`));
  }
  if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
    return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
  }
  const actualRecord = actual as Record<string, unknown>;
  return Object.entries(expected as Record<string, unknown>).flatMap(([key, value]) =>
    differences(value, actualRecord[key], `${path}.${key}`),
  );
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, withoutNulls(field)]),
  );
}
