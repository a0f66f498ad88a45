// The response shapes the simulator tests read, as kube-apiserver sends them: objects, lists,
// Status errors and Tables. Every field is optional where the server may leave it out.
import type { KubeObject, ObjectMeta } from "../../src/sim/kube/types.js";

export interface ObjectBody extends KubeObject {
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

export interface ListBody<T = ObjectBody> {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface StatusBody {
  kind: "Status";
  apiVersion: string;
  metadata: { continue?: string };
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

export interface TableBody {
  kind: "Table";
  apiVersion: string;
  columnDefinitions: { name: string; type: string }[];
  rows: { cells: unknown[]; object: ObjectBody }[];
  metadata: { resourceVersion?: string; continue?: string };
}
