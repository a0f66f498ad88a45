// A snapshot-backed PersistentVolume pointed at its restored disk: the same volume source (CSI or
// in-tree azureDisk) naming the new disk, its zone affinity and labels moved to the disk's zone,
// and its claim reference to the mapped claim without the old binding. Pure.
import type { KubeObject } from "../kube/types.js";
import { REGION_LABELS, ZONE_LABELS, zoneLabelValue, zoneOfLabel } from "../volumes/node-zones.js";
import { parseDiskId } from "../volumes/snapshot-identity.js";
import { record } from "./actions/types.js";

/** The disk a PV now points at, as the volume step reports it. */
export interface RestoredDiskRef {
  diskId: string;
  /** Region of the disk; absent: the region the PV's zone affinity or labels name. */
  location?: string;
  /** Availability zone ("1".."3"); absent: a regional disk. */
  zone?: string;
  skuName?: string;
}

export interface ClaimName {
  namespace: string;
  name: string;
}

interface MatchExpression {
  key?: string;
  operator?: string;
  values?: string[];
}

interface SelectorTerm {
  matchExpressions?: MatchExpression[];
  matchFields?: unknown[];
}

const BIND_ANNOTATIONS = ["pv.kubernetes.io/bound-by-controller"];
const CSI_ZONE_KEY = "topology.disk.csi.azure.com/zone";
const IN_TREE_ZONE_KEY = "topology.kubernetes.io/zone";
const isZoneKey = (key: string | undefined) => (ZONE_LABELS as readonly string[]).includes(key ?? "");
const isRegionKey = (key: string | undefined) => (REGION_LABELS as readonly string[]).includes(key ?? "");

/**
 * The planned PV pointed at `disk`, bound to `claim` (default: its claim reference as planned).
 * Throws when the PV is not an Azure disk volume: the plan only lists those for a new disk.
 */
export function rewritePersistentVolume(
  pv: KubeObject,
  disk: RestoredDiskRef,
  claim?: ClaimName,
): KubeObject {
  const restored = structuredClone(pv);
  const spec = record(restored.spec) ?? {};
  restored.spec = spec;
  const location = disk.location ?? regionNamedBy(restored);
  pointAtDisk(restored, spec, disk, claim);
  placeInZone(spec, disk.zone, location, record(spec.csi) !== undefined ? CSI_ZONE_KEY : IN_TREE_ZONE_KEY);
  relabel(restored, disk.zone, location);
  bindTo(spec, claim);
  for (const key of BIND_ANNOTATIONS) delete restored.metadata.annotations?.[key];
  delete restored.status;
  return restored;
}

function pointAtDisk(
  pv: KubeObject,
  spec: Record<string, unknown>,
  disk: RestoredDiskRef,
  claim?: ClaimName,
) {
  const csi = record(spec.csi);
  const azureDisk = record(spec.azureDisk);
  if (csi !== undefined) {
    csi.volumeHandle = disk.diskId;
    const attributes = record(csi.volumeAttributes);
    if (attributes !== undefined) rewriteAttributes(attributes, pv, disk, claim);
    return;
  }
  if (azureDisk !== undefined) {
    azureDisk.diskURI = disk.diskId;
    azureDisk.diskName = parseDiskId(disk.diskId)?.name ?? azureDisk.diskName;
    return;
  }
  throw new Error(
    `PersistentVolume ${pv.metadata.name} has neither spec.csi nor spec.azureDisk, so it cannot be pointed at disk ${disk.diskId}`,
  );
}

/** The CSI attributes that name the volume, its claim and its SKU follow the restored ones. */
function rewriteAttributes(
  attributes: Record<string, unknown>,
  pv: KubeObject,
  disk: RestoredDiskRef,
  claim?: ClaimName,
) {
  const set = (key: string, value: string | undefined) => {
    if (key in attributes && value !== undefined) attributes[key] = value;
  };
  set("csi.storage.k8s.io/pv/name", pv.metadata.name);
  set("csi.storage.k8s.io/pvc/name", claim?.name);
  set("csi.storage.k8s.io/pvc/namespace", claim?.namespace);
  for (const key of Object.keys(attributes)) {
    if (/^(skuname|storageaccounttype)$/i.test(key)) set(key, disk.skuName);
  }
}

/** The region the PV names in its zone affinity ("westeurope-2") or its region labels. */
function regionNamedBy(pv: KubeObject): string | undefined {
  for (const term of termsOf(record(pv.spec) ?? {}) ?? []) {
    for (const expression of term.matchExpressions ?? []) {
      if (isRegionKey(expression.key) && expression.values?.[0]) return expression.values[0];
      const value = expression.values?.find((v) => zoneOfLabel(v) !== undefined);
      if (isZoneKey(expression.key) && value !== undefined) return value.slice(0, value.lastIndexOf("-"));
    }
  }
  const labels = pv.metadata.labels ?? {};
  return REGION_LABELS.map((key) => labels[key]).find((value) => value !== undefined && value !== "");
}

function termsOf(spec: Record<string, unknown>): SelectorTerm[] | undefined {
  const required = record(record(spec.nodeAffinity)?.required);
  const terms = required?.nodeSelectorTerms;
  return Array.isArray(terms) ? (terms as SelectorTerm[]) : undefined;
}

/**
 * Zone requirements of the node affinity name the disk's zone; a regional disk drops them. A zonal
 * disk on a PV that had none gets one, so pods go where the disk can be attached.
 */
function placeInZone(
  spec: Record<string, unknown>,
  zone: string | undefined,
  location: string | undefined,
  key: string,
) {
  const value = zone !== undefined && location !== undefined ? zoneLabelValue(location, zone) : undefined;
  let terms = termsOf(spec) ?? [];
  let zoned = false;
  terms = terms.map((term) => {
    const expressions = (term.matchExpressions ?? []).flatMap((expression) => {
      if (isRegionKey(expression.key) && location !== undefined)
        return [{ ...expression, values: [location] }];
      if (!isZoneKey(expression.key)) return [expression];
      zoned = true;
      return value === undefined ? [] : [{ ...expression, operator: "In", values: [value] }];
    });
    return { ...term, matchExpressions: expressions };
  });
  if (value !== undefined && !zoned) {
    const requirement = { key, operator: "In", values: [value] };
    terms =
      terms.length === 0
        ? [{ matchExpressions: [requirement] }]
        : terms.map((term) => ({
            ...term,
            matchExpressions: [...(term.matchExpressions ?? []), requirement],
          }));
  }
  terms = terms
    .map((term) => (term.matchExpressions?.length ? term : withoutExpressions(term)))
    .filter((term) => (term.matchExpressions?.length ?? 0) > 0 || (term.matchFields?.length ?? 0) > 0);
  const affinity = record(spec.nodeAffinity);
  if (terms.length > 0) {
    spec.nodeAffinity = {
      ...affinity,
      required: { ...record(affinity?.required), nodeSelectorTerms: terms },
    };
  } else if (affinity !== undefined) {
    delete affinity.required;
    if (Object.keys(affinity).length === 0) delete spec.nodeAffinity;
  }
}

function withoutExpressions(term: SelectorTerm): SelectorTerm {
  const { matchExpressions: _, ...rest } = term;
  return rest;
}

/** Zone and region labels (set by the in-tree admission of older clusters) follow the disk. */
function relabel(pv: KubeObject, zone: string | undefined, location: string | undefined) {
  const labels = pv.metadata.labels;
  if (labels === undefined) return;
  for (const key of ZONE_LABELS) {
    if (!(key in labels)) continue;
    if (zone !== undefined && location !== undefined) labels[key] = zoneLabelValue(location, zone);
    else delete labels[key];
  }
  for (const key of REGION_LABELS) {
    if (key in labels && location !== undefined) labels[key] = location;
  }
}

/** The claim reference names the restored claim and no uid: the binder completes it with the new one. */
function bindTo(spec: Record<string, unknown>, claim?: ClaimName) {
  const ref = record(spec.claimRef);
  if (ref === undefined && claim === undefined) return;
  const next: Record<string, unknown> = { ...ref };
  if (claim !== undefined) {
    next.kind ??= "PersistentVolumeClaim";
    next.apiVersion ??= "v1";
    next.namespace = claim.namespace;
    next.name = claim.name;
  }
  delete next.uid;
  delete next.resourceVersion;
  spec.claimRef = next;
}
