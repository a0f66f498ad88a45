// Core v1 Events as controllers record them (`kubectl describe` shows them), each reason written
// once per object so a retry loop does not flood the namespace.
import { randomBytes } from "node:crypto";
import type { ObjectStore } from "../api.js";
import type { KubeObject } from "../types.js";
import type { CoreTypes } from "./core-types.js";
import { createIfAbsent } from "./store-errors.js";

export interface EventRecorder {
  record(object: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

export function eventRecorder(
  store: ObjectStore,
  types: CoreTypes,
  component: string,
  now: () => string,
): EventRecorder {
  const seen = new Set<string>();
  return {
    record(object, type, reason, message) {
      const meta = object.metadata ?? {};
      const key = `${meta.uid}|${reason}|${message}`;
      if (seen.has(key) || !meta.name) return;
      seen.add(key);
      const at = now();
      const event: KubeObject = {
        apiVersion: "v1",
        kind: "Event",
        metadata: {
          name: `${meta.name}.${randomBytes(8).toString("hex")}`,
          namespace: meta.namespace ?? "default",
        },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          ...(meta.namespace ? { namespace: meta.namespace } : {}),
          name: meta.name,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        reason,
        message,
        source: { component },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: "",
      };
      createIfAbsent(() => store.create(types.events, event));
    },
  };
}
