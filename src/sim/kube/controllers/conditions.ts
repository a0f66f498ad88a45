// Status conditions as controllers maintain them: one entry per type, and lastTransitionTime kept
// unless the status really changes, so repeated reconciles do not look like transitions.
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
  [key: string]: unknown;
}

export function findCondition(conditions: unknown, type: string): Condition | undefined {
  if (!Array.isArray(conditions)) return undefined;
  return (conditions as Condition[]).find((c) => c.type === type);
}

export function isTrue(conditions: unknown, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

/**
 * Replaces or appends `next` (kept in place). An unchanged condition (status, reason, message) is
 * kept as it was, timestamps included; a changed one keeps its transition time unless status changed.
 */
export function setCondition(conditions: unknown, next: Condition): Condition[] {
  const list = Array.isArray(conditions) ? [...(conditions as Condition[])] : [];
  const at = list.findIndex((c) => c.type === next.type);
  if (at < 0) {
    list.push(next);
    return list;
  }
  const old = list[at] as Condition;
  if (old.status === next.status && old.reason === next.reason && old.message === next.message) return list;
  list[at] =
    old.status === next.status && old.lastTransitionTime !== undefined
      ? { ...next, lastTransitionTime: old.lastTransitionTime }
      : next;
  return list;
}

export function removeCondition(conditions: unknown, type: string): Condition[] {
  return Array.isArray(conditions) ? (conditions as Condition[]).filter((c) => c.type !== type) : [];
}
