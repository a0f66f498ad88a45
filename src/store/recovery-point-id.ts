// Recovery point ids: `<instance>-<yyyymmdd>-<hhmmss>-<4 hex>`, sortable by time within an instance
// and parseable back to the instance, so `describe <id>` finds its blobs without an index.

const SUFFIX =
  /^(?<instance>[a-z0-9]([-a-z0-9]*[a-z0-9])?)-(?<date>\d{8})-(?<time>\d{6})-(?<nonce>[0-9a-f]{4})$/;

export interface RecoveryPointRef {
  id: string;
  instance: string;
  /** The time in the id (UTC, whole seconds). */
  time: Date;
}

export function newRecoveryPointId(instance: string, time: Date, nonce: number): string {
  const iso = time.toISOString();
  const date = iso.slice(0, 10).replaceAll("-", "");
  const clock = iso.slice(11, 19).replaceAll(":", "");
  return `${instance}-${date}-${clock}-${(nonce & 0xffff).toString(16).padStart(4, "0")}`;
}

/** Parses an id; undefined when it is not one of ours (the caller names the bad input). */
export function parseRecoveryPointId(id: string): RecoveryPointRef | undefined {
  const match = SUFFIX.exec(id);
  const groups = match?.groups;
  if (!groups?.instance || !groups.date || !groups.time) return undefined;
  const { date, time } = groups;
  const at = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`,
  );
  if (Number.isNaN(at.getTime())) return undefined;
  return { id, instance: groups.instance, time: at };
}
