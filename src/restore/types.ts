// The shapes shared by restore planning and applying: a plan is ordered phases of transformed items
// plus what was left out and why; a result says, per item, what applying it did.
import type { KubeObject } from "../kube/types.js";
import type { RestoreRequest } from "../model/restore-request.js";

/** One item to create in the target cluster, already transformed by the item actions. */
export interface PlannedItem {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Target namespace (after mapping); absent for cluster-scoped items. */
  namespace?: string;
  name: string;
  /** The object to create, without server fields and with namespaces mapped. */
  object: KubeObject;
  /** Namespace in the backup, when it differs from `namespace`. */
  sourceNamespace?: string;
  /** uid in the backup, so owner references can be re-pointed to the new uid. */
  oldUid?: string;
}

export type PhaseName = "definitions" | "resources" | "admission";

export interface PlannedPhase {
  name: PhaseName;
  /** Wait until this phase's CustomResourceDefinitions are Established before the next phase. */
  waitForEstablished?: boolean;
  /** In creation order: by type (priority list, then alphabetical), then namespace and name. */
  items: PlannedItem[];
}

/** An item of the backup the plan leaves out on purpose. */
export interface SkippedItem {
  group: string;
  resource: string;
  kind?: string;
  /** Namespace in the backup. */
  namespace?: string;
  name: string;
  /** Name of the item action that decided to skip it, when one did. */
  action?: string;
  reason: string;
}

/** A claim whose data comes back from a disk snapshot (mode RestoreWithVolumeData). */
export interface PlannedVolume {
  /** Target namespace of the claim (after mapping). */
  namespace: string;
  claim: string;
  /** Namespace of the claim in the backup. */
  sourceNamespace: string;
  /**
   * Name of the plan's PersistentVolume item for this claim, which the volume step rewrites to point
   * at the new disk. It differs from `sourcePv` when the claim moves to another namespace, so the
   * restored volume never collides with the original in the same cluster.
   */
  pv: string;
  /** Name of the PersistentVolume in the backup. */
  sourcePv: string;
  /** ARM id of the snapshot to create the new disk from. */
  snapshotId: string;
  /** ARM id of the disk that was snapshotted. */
  sourceDiskId: string;
  sizeGiB: number;
  zone?: string;
  storageClass?: string;
}

export type PersistentVolumeRestoreMode = RestoreRequest["persistentVolumeRestoreMode"];
export type ConflictPolicy = RestoreRequest["conflictPolicy"];

export interface RestorePlan {
  recoveryPointId: string;
  /** Non-empty phases only, in order. */
  phases: PlannedPhase[];
  skipped: SkippedItem[];
  /** How many items of the backup the request's selection left out (not listed one by one). */
  unselected: number;
  /** Human-readable warnings, e.g. from item actions ("service: nodePort 30080 kept"). */
  warnings: string[];
  /** Snapshots to turn into disks; empty with RestoreWithoutVolumeData. */
  volumes: PlannedVolume[];
  persistentVolumeRestoreMode: PersistentVolumeRestoreMode;
  conflictPolicy: ConflictPolicy;
  /** Source namespace -> target namespace, as requested. */
  namespaceMappings: Record<string, string>;
}

export type ItemOutcome = "created" | "patched" | "skipped" | "failed";

/** What applying (or dry-running) one item did. */
export interface ItemResult {
  group: string;
  resource: string;
  kind: string;
  namespace?: string;
  name: string;
  outcome: ItemOutcome;
  /** Why it was skipped or failed. */
  reason?: string;
}
