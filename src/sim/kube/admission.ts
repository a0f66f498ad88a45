// Synchronous admission in the write path, as kube-apiserver's registries and built-in admission
// plugins run it: mutate (defaults, allocations) or refuse, then commit or roll back with the write.
import type { ServedType } from "./registry.js";
import type { KubeObject } from "./types.js";

export interface AdmissionRequest {
  operation: "CREATE" | "UPDATE" | "DELETE";
  type: ServedType;
  /** CREATE/UPDATE: the object about to be stored (mutable); DELETE: the object being removed. */
  object: KubeObject;
  old?: KubeObject;
  subresource?: string;
  dryRun: boolean;
}

/** What an admission step does once the store knows whether the write happened. */
export interface AdmissionOutcome {
  /** The write was stored: make side effects (allocations) permanent. */
  commit?(): void;
  /** The write failed later or was a dry run: undo anything reserved. */
  abort?(): void;
}

/** Mutates `request.object` in place or throws a StatusError. */
export type AdmissionHook = (request: AdmissionRequest) => AdmissionOutcome | undefined;

/** Runs hooks in order; if one throws, the ones before it are aborted. */
export function runAdmission(hooks: readonly AdmissionHook[], request: AdmissionRequest): AdmissionOutcome {
  const outcomes: AdmissionOutcome[] = [];
  try {
    for (const hook of hooks) {
      const outcome = hook(request);
      if (outcome) outcomes.push(outcome);
    }
  } catch (err) {
    for (const o of outcomes) o.abort?.();
    throw err;
  }
  return {
    commit: () => {
      for (const o of outcomes) o.commit?.();
    },
    abort: () => {
      for (const o of outcomes) o.abort?.();
    },
  };
}
