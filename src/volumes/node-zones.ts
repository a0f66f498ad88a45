// Where a cluster's nodes are, read from their topology labels, and which availability zone a
// restored disk goes to so that a node can attach it. Pure.
import { createHash } from "node:crypto";
import type { KubeObject } from "../kube/types.js";

/** Zone labels, most specific first; AKS sets all of them to `<region>-<zone>` on zonal nodes. */
export const ZONE_LABELS = [
  "topology.disk.csi.azure.com/zone",
  "topology.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/zone",
] as const;

export const REGION_LABELS = [
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/region",
] as const;

export interface NodeTopology {
  /** The nodes' region (`westeurope`), when labelled. */
  region?: string;
  /** Availability zones ("1".."3") with a schedulable node, sorted; empty for a cluster without zones. */
  zones: string[];
}

/**
 * The availability zone in a zone label value: "westeurope-2" -> "2". AKS nodes outside zones carry
 * their fault domain ("0", "1") in `topology.kubernetes.io/zone` and "" in the CSI driver's label:
 * neither is a zone.
 */
export function zoneOfLabel(value: string | undefined): string | undefined {
  return /^[a-z0-9]+-([1-9])$/i.exec(value ?? "")?.[1];
}

/** The label value of a zone in a region, as nodes and PV node affinities spell it. */
export function zoneLabelValue(location: string, zone: string): string {
  return `${location.toLowerCase()}-${zone}`;
}

function labelOf(node: KubeObject, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = node.metadata.labels?.[key];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/** The region and zones of the nodes a pod can be scheduled on (cordoned nodes do not count). */
export function nodeTopologyOf(nodes: readonly KubeObject[]): NodeTopology {
  const zones = new Set<string>();
  let region: string | undefined;
  for (const node of nodes) {
    if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) continue;
    region ??= labelOf(node, REGION_LABELS);
    const zone = zoneOfLabel(labelOf(node, ZONE_LABELS));
    if (zone !== undefined) zones.add(zone);
  }
  return { ...(region !== undefined ? { region } : {}), zones: [...zones].sort() };
}

/** Zone-redundant disks are regional: Azure places them in every zone and takes no zone for them. */
export function isZoneRedundant(skuName: string): boolean {
  return /_ZRS$/i.test(skuName);
}

/**
 * The zone for a restored disk: none for a zone-redundant SKU or a cluster without zones; the
 * source disk's when the target has nodes there; else one of the target's zones, picked by `key`
 * so that a retry picks the same one and many volumes spread over the zones.
 */
export function pickDiskZone(input: {
  sourceZone: string | undefined;
  skuName: string;
  nodes: NodeTopology | undefined;
  key: string;
}): string | undefined {
  if (isZoneRedundant(input.skuName)) return undefined;
  if (input.nodes === undefined) return input.sourceZone;
  const { zones } = input.nodes;
  if (zones.length === 0) return undefined;
  if (input.sourceZone !== undefined && zones.includes(input.sourceZone)) return input.sourceZone;
  const hash = createHash("sha256").update(input.key.toLowerCase()).digest();
  return zones[hash.readUInt32BE(0) % zones.length];
}
