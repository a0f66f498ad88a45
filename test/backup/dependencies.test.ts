// What a backup keeps from the cluster scope for what it selected, and the promise the export's
// scan relies on: for every type not listed by DependencyTracker.readsWholeItems, record() and
// needs() read nothing of an item beyond its identity (the scan decodes nothing else).
import { describe, expect, it } from "vitest";
import { DependencyTracker } from "../../src/backup/dependencies.js";
import { discoverResources, type KubeObject } from "../../src/kube/index.js";
import { useSimulator } from "../helpers/sim.js";
import { connectSim, listableType } from "../kube/harness.js";

/** An item whose reads are recorded as dotted paths ("metadata.name", "spec.volumeName"). */
function watched(reads: Set<string>): KubeObject {
  const item = {
    apiVersion: "v1",
    kind: "Anything",
    metadata: { name: "n", namespace: "ns", labels: { app: "a" } },
    spec: { volumeName: "pv-1", storageClassName: "fast", claimRef: { name: "c" } },
    roleRef: { kind: "ClusterRole", name: "view" },
    subjects: [{ kind: "ServiceAccount", name: "default" }],
    status: { phase: "Bound" },
  };
  const wrap = (target: object, path: string): object =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value: unknown = Reflect.get(object, key, receiver);
        if (typeof key !== "string") return value;
        const at = path ? `${path}.${key}` : key;
        reads.add(at);
        return typeof value === "object" && value !== null ? wrap(value, at) : value;
      },
    });
  return wrap(item, "") as KubeObject;
}

const IDENTITY = new Set([
  "apiVersion",
  "kind",
  "metadata",
  "metadata.name",
  "metadata.namespace",
  "metadata.labels",
]);

const type = (group: string, resource: string, namespaced = true) =>
  listableType(group, resource, resource, namespaced);

const CLAIMS = type("", "persistentvolumeclaims");
const BINDINGS = type("rbac.authorization.k8s.io", "rolebindings");

/** An item of any type: its identity and the fields given. */
const item = (name: string, namespace: string | undefined, rest: Record<string, unknown> = {}) =>
  ({ metadata: { name, ...(namespace ? { namespace } : {}) }, ...rest }) as KubeObject;

describe("backup: dependencies of the selected items", () => {
  const sim = useSimulator();

  it("reads more than an item's identity only for the types that are listed whole", async () => {
    const cluster = await connectSim(sim());
    const { types } = await discoverResources(cluster);
    cluster.close();
    expect(types.length).toBeGreaterThan(40);
    const readingMore: string[] = [];
    for (const t of [...types, type("example.com", "widgets")]) {
      const reads = new Set<string>();
      // Primed so that needs() takes its deepest path for an item named "n" of any type.
      const tracker = new DependencyTracker();
      tracker.record(CLAIMS, item("claim", "n", { spec: { volumeName: "n", storageClassName: "n" } }));
      tracker.record(BINDINGS, item("binding", "n", { roleRef: { kind: "ClusterRole", name: "n" } }));
      if (t.namespaced) tracker.record(t, watched(reads));
      else tracker.needs(t, watched(reads));
      const beyond = [...reads].filter((path) => !IDENTITY.has(path));
      if (beyond.length > 0) readingMore.push(`${t.group}/${t.resource}`);
      expect(DependencyTracker.readsWholeItems(t), `${t.group}/${t.resource} reads ${beyond}`).toBe(
        beyond.length > 0,
      );
    }
    expect(readingMore.sort()).toEqual([
      "/persistentvolumeclaims",
      "/persistentvolumes",
      "rbac.authorization.k8s.io/rolebindings",
    ]);
  });

  it("needs the namespaces, volumes, classes, CRDs and cluster roles of what it recorded", () => {
    const tracker = new DependencyTracker();
    tracker.record(CLAIMS, item("data", "shop", { spec: { volumeName: "pv-1" } }));
    tracker.record(BINDINGS, item("viewers", "shop", { roleRef: { kind: "ClusterRole", name: "view" } }));
    tracker.record(BINDINGS, item("local", "shop", { roleRef: { kind: "Role", name: "editor" } }));
    tracker.record(type("example.com", "widgets"), item("w", "shop"));

    const needs = (group: string, resource: string, name: string, rest: Record<string, unknown> = {}) =>
      tracker.needs(type(group, resource, false), item(name, undefined, rest));
    expect(needs("", "namespaces", "shop")).toBe(true);
    expect(needs("", "namespaces", "other")).toBe(false);
    expect(needs("", "persistentvolumes", "pv-1", { spec: { storageClassName: "fast" } })).toBe(true);
    expect(needs("", "persistentvolumes", "pv-2", { spec: { storageClassName: "slow" } })).toBe(false);
    // The class of a needed volume is needed; the class of one that is not, is not.
    expect(needs("storage.k8s.io", "storageclasses", "fast")).toBe(true);
    expect(needs("storage.k8s.io", "storageclasses", "slow")).toBe(false);
    expect(needs("apiextensions.k8s.io", "customresourcedefinitions", "widgets.example.com")).toBe(true);
    expect(needs("apiextensions.k8s.io", "customresourcedefinitions", "gadgets.example.com")).toBe(false);
    expect(needs("rbac.authorization.k8s.io", "clusterroles", "view")).toBe(true);
    // A Role of the same name is namespaced: it comes with its namespace, not as a dependency.
    expect(needs("rbac.authorization.k8s.io", "clusterroles", "editor")).toBe(false);
    expect(needs("", "nodes", "node-1")).toBe(false);
  });
});
