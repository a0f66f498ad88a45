// Converts between a live instance and its stored document: taken after every episode, read back
// by resume() after a restart and by status queries for instances this process no longer holds.
import { EventType } from "./history.js";
import { type Instance, type InstanceStatus, newInstance } from "./instance.js";
import type { StoredInstance } from "./store.js";

/** A copy safe to write later: arrays are copied, and events, records and work are never mutated. */
export function snapshotOf(inst: Instance): StoredInstance {
  return {
    formatVersion: 1,
    instanceId: inst.id,
    name: inst.name,
    input: inst.input,
    parentId: inst.parentId,
    runtimeStatus: inst.status,
    createdTime: new Date(inst.createdTime).toISOString(),
    lastUpdatedTime: new Date(inst.lastUpdatedTime).toISOString(),
    customStatus: inst.customStatus,
    output: inst.output,
    ...(inst.error === undefined ? {} : { error: inst.error }),
    history: [...inst.history],
    records: [...inst.records],
    nextId: inst.nextId,
    work: [...inst.work].map(([id, work]) => ({ id, ...work })),
    raised: inst.inbox.filter((item) => item.raised).map((item) => item.event),
  };
}

/** A live instance from its document; timers, activities and children are re-armed by the runtime. */
export function restoreInstance(stored: StoredInstance): Instance {
  const inst = newInstance({
    id: stored.instanceId,
    name: stored.name,
    input: stored.input,
    parentId: stored.parentId,
    createdTime: Date.parse(stored.createdTime),
  });
  inst.history.push(...stored.history);
  inst.records.push(...stored.records.map((r) => ({ ...r })));
  for (const { id, ...work } of stored.work) inst.work.set(id, work);
  inst.inbox.push(...stored.raised.map((event) => ({ event, raised: true })));
  inst.status = stored.runtimeStatus;
  inst.customStatus = stored.customStatus ?? null;
  inst.output = stored.output ?? null;
  if (stored.error !== undefined) inst.error = stored.error;
  inst.lastUpdatedTime = Date.parse(stored.lastUpdatedTime);
  inst.nextId = stored.nextId;
  return inst;
}

export function hasStarted(inst: Instance): boolean {
  return inst.history.some((e) => e.EventType === EventType.ExecutionStarted);
}

export function statusOfStored(stored: StoredInstance): InstanceStatus {
  return {
    instanceId: stored.instanceId,
    name: stored.name,
    runtimeStatus: stored.runtimeStatus,
    input: stored.input,
    customStatus: stored.customStatus ?? null,
    output: stored.output ?? null,
    ...(stored.error === undefined ? {} : { error: stored.error }),
    createdTime: stored.createdTime,
    lastUpdatedTime: stored.lastUpdatedTime,
  };
}
