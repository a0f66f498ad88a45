// Mimics the apiextensions-apiserver naming controller: accepts a CRD's names unless another CRD
// of the group already uses them, records acceptedNames and storedVersions, and sets NamesAccepted.
import type { KubeObject } from "../types.js";
import { type Condition, findCondition, setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";

export interface CrdNames {
  plural?: string;
  singular?: string;
  shortNames?: string[];
  kind?: string;
  listKind?: string;
  categories?: string[];
}

interface CrdSpec {
  group?: string;
  names?: CrdNames;
  versions?: Array<{ name?: string; storage?: boolean }>;
}

interface CrdStatus {
  acceptedNames?: CrdNames;
  conditions?: Condition[];
  storedVersions?: string[];
}

export function crdSpec(crd: KubeObject): CrdSpec {
  return (crd.spec ?? {}) as CrdSpec;
}

export function crdStatus(crd: KubeObject): CrdStatus {
  return (crd.status ?? {}) as CrdStatus;
}

/** Names as the server defaults them: singular from kind, listKind `<Kind>List`. */
function requestedNames(spec: CrdSpec): CrdNames {
  const names = spec.names ?? {};
  const kind = names.kind ?? "";
  return {
    plural: names.plural ?? "",
    singular: names.singular || kind.toLowerCase(),
    ...(names.shortNames?.length ? { shortNames: [...names.shortNames] } : {}),
    kind,
    listKind: names.listKind || `${kind}List`,
    ...(names.categories?.length ? { categories: [...names.categories] } : {}),
  };
}

/** The first conflict with names other CRDs of the group already hold, as [reason, message]. */
function findConflict(wanted: CrdNames, others: CrdNames[]): [string, string] | undefined {
  const used = (pick: (n: CrdNames) => Array<string | undefined>) =>
    new Set(others.flatMap(pick).filter((v): v is string => Boolean(v)));
  const plurals = used((n) => [n.plural]);
  const singulars = used((n) => [n.singular]);
  const shortNames = used((n) => n.shortNames ?? []);
  const kinds = used((n) => [n.kind]);
  const listKinds = used((n) => [n.listKind]);
  const inUse = (name: string) => `"${name}" is already in use`;
  if (wanted.plural && plurals.has(wanted.plural)) return ["PluralConflict", inUse(wanted.plural)];
  if (wanted.singular && singulars.has(wanted.singular)) return ["SingularConflict", inUse(wanted.singular)];
  for (const short of wanted.shortNames ?? []) {
    if (shortNames.has(short)) return ["ShortNamesConflict", inUse(short)];
  }
  if (wanted.kind && kinds.has(wanted.kind)) return ["KindConflict", inUse(wanted.kind)];
  if (wanted.listKind && listKinds.has(wanted.listKind)) return ["ListKindConflict", inUse(wanted.listKind)];
  return undefined;
}

export const crdNamingController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const crds = typeKey(types.crds);
  cache.track(crds);

  function othersInGroup(crd: KubeObject): KubeObject[] {
    const group = crdSpec(crd).group;
    const out: KubeObject[] = [];
    for (const other of cache.list(crds)) {
      if (other.metadata?.uid !== crd.metadata?.uid && crdSpec(other).group === group) out.push(other);
    }
    return out;
  }

  const queue = context.queue("crd-naming", (name) => {
    const crd = store.get(types.crds, undefined, name);
    if (!crd) return;
    const spec = crdSpec(crd);
    const status = crdStatus(crd);
    const wanted = requestedNames(spec);
    const conflict = findConflict(
      wanted,
      othersInGroup(crd).map((o) => crdStatus(o).acceptedNames ?? {}),
    );
    const now = context.now();
    let conditions = status.conditions ?? [];
    let acceptedNames = status.acceptedNames ?? { plural: "", kind: "" };
    if (conflict) {
      conditions = setCondition(conditions, {
        type: "NamesAccepted",
        status: "False",
        lastTransitionTime: now,
        reason: conflict[0],
        message: conflict[1],
      });
      if (findCondition(conditions, "Established")?.status !== "True") {
        conditions = setCondition(conditions, {
          type: "Established",
          status: "False",
          lastTransitionTime: now,
          reason: "NotAccepted",
          message: "not all names are accepted",
        });
      }
    } else {
      acceptedNames = wanted;
      conditions = setCondition(conditions, {
        type: "NamesAccepted",
        status: "True",
        lastTransitionTime: now,
        reason: "NoConflicts",
        message: "no conflicts found",
      });
      if (findCondition(conditions, "Established")?.status !== "True") {
        conditions = setCondition(conditions, {
          type: "Established",
          status: "False",
          lastTransitionTime: now,
          reason: "Installing",
          message: "the initial names have been accepted",
        });
      }
    }
    const storage = (spec.versions ?? []).find((v) => v.storage)?.name;
    const storedVersions = [...(status.storedVersions ?? [])];
    if (storage && !storedVersions.includes(storage)) storedVersions.push(storage);
    const next: CrdStatus = { ...status, conditions, acceptedNames, storedVersions };
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    crd.status = next;
    store.updateStatus(types.crds, crd);
  });

  return {
    name: "crd-naming",
    watches: [crds],
    observe(event) {
      queue.add(event.object.metadata?.name ?? "");
      // A CRD that goes or changes its names may free names another CRD of the group waits for.
      if (event.type === "ADDED") return;
      for (const other of othersInGroup(event.object)) {
        if (findCondition(crdStatus(other).conditions, "NamesAccepted")?.status !== "True") {
          queue.add(other.metadata?.name ?? "");
        }
      }
    },
  };
};
