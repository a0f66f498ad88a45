// What the restore orchestration and its activities exchange: names, the input, progress and
// output, and each activity's small input and output (ids, counts, the volume list); the plan, the
// phase results and the result travel through blobs (restore-parts.ts).
import { z } from "zod";
import { restoreRequestSchema } from "../model/restore-request.js";
import type { OutcomeCounts, RestoreStatus } from "../restore/result.js";
import type { PhaseName, PlannedVolume } from "../restore/types.js";
import { RESTORE_VOLUME, type RestoredVolumeRef } from "./restore-volume.js";

export type { RestoreVolumeInput, RestoreVolumeOutcome, RestoreVolumeOutput } from "./restore-volume.js";

export const RESTORE = "restore";

export const restoreActivities = {
  planRestore: "planRestore",
  /** Registered by the volume module (restore-volume.ts): one new disk per snapshot. */
  restoreVolume: RESTORE_VOLUME,
  attachRestoredDisks: "attachRestoredDisks",
  applyResources: "applyResources",
  /** Registered by the hooks module (restore-hooks.ts): exec hooks in the restored pods. */
  runRestoreHooks: "runRestoreHooks",
  reportRestore: "reportRestore",
} as const;

export const restoreInputSchema = z.strictObject({
  /** The orchestration's id; names the restore's blobs (`restores/<restoreId>/`). */
  restoreId: z.string().min(1),
  /** The backup instance the recovery point belongs to (for the jobs list). */
  instance: z.string().min(1),
  /** The registered cluster the restore writes to, resolved before the start. */
  targetCluster: z.string().min(1),
  request: restoreRequestSchema,
});
export type RestoreInput = z.output<typeof restoreInputSchema>;

/** What the orchestration shows while it runs. */
export interface RestoreProgress {
  phase: "plan" | "volumes" | PhaseName | "hooks" | "report" | "done";
  restoreId: string;
  recoveryPointId: string;
  targetCluster: string;
  dryRun: boolean;
  /** Items the plan applies, in all phases. */
  items?: number;
  volumesDone?: number;
  volumesTotal?: number;
  /** Outcomes of the items applied so far. */
  counts?: OutcomeCounts;
}

export interface RestoreOutput {
  status: RestoreStatus;
  restoreId: string;
  recoveryPointId: string;
  targetCluster: string;
  dryRun: boolean;
  counts: OutcomeCounts;
  warnings: number;
  /** Why the restore stopped before applying (a refused recovery point, a tampered archive). */
  reason?: string;
  /** The blob holding the full RestoreResult. */
  resultBlob: string;
}

export interface PlanRestoreInput {
  restoreId: string;
  targetCluster: string;
  request: RestoreInput["request"];
}

export type PlanRestoreOutput =
  | {
      ok: true;
      /** Items to apply per phase, in order. */
      phases: Array<{ name: PhaseName; items: number }>;
      volumes: PlannedVolume[];
      skipped: number;
      unselected: number;
      /** A planned pod or pod template carries a restore exec hook annotation. */
      annotatedHooks: boolean;
    }
  | { ok: false; code: string; reason: string };

export interface AttachDisksInput {
  restoreId: string;
  disks: RestoredVolumeRef[];
  /** Volumes whose disk could not be made: their PV and claim are reported failed, not applied. */
  failures: Array<{ pv: string; reason: string }>;
}

export interface ApplyResourcesInput {
  restoreId: string;
  /** Index of the phase in the stored plan. */
  phase: number;
}

export interface ApplyResourcesOutput {
  name: PhaseName;
  counts: OutcomeCounts;
  warnings: number;
  /** The cluster could not be worked with: the later phases are not applied. */
  stoppedBy?: string;
}

export interface ReportRestoreInput {
  restoreId: string;
  startedAt: string;
  recoveryPointId: string;
  targetCluster: string;
  instance?: string;
  dryRun: boolean;
  conflictPolicy: RestoreInput["request"]["conflictPolicy"];
  /** Set when the restore stopped before all its phases ran: what was not applied says why. */
  failure?: string;
  /** Set when the restore hooks could not be run at all (their activity failed): an error of the result. */
  hooksFailure?: string;
}

/** The orchestration's output, and whether an Event Grid topic is configured (the orchestrator drops it). */
export type ReportRestoreOutput = RestoreOutput & { notify?: true };

export interface RunRestoreHooksInput {
  restoreId: string;
  /** The request's restoreHookReferences: RestoreHook objects in the target cluster. */
  references: Array<{ namespace: string; name: string }>;
}

export interface RunRestoreHooksOutput {
  /** Workloads and bare pods with hooks (in a dry run: that would have had them run). */
  targets: number;
  pods: number;
  succeeded: number;
  failed: number;
  errors: number;
}
