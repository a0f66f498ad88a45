// The two waits of a restore, both polled and bounded: until the CustomResourceDefinitions it
// created are Established and their types served (so custom resources in later phases are not
// refused with 404), and until a Terminating namespace is gone (so it can be created afresh).
import type { Cluster } from "../kube/cluster.js";
import { isKubeApiError } from "../kube/errors.js";
import type { KubeObject } from "../kube/types.js";
import { pause } from "./pause.js";

export interface WaitOptions {
  /** Longest wait (default 60 s). */
  timeoutMs?: number;
  /** Between two polls (default 250 ms). */
  pollIntervalMs?: number;
  abortSignal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_MS = 250;

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function conditionsOf(object: KubeObject): Condition[] {
  const conditions = (object.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(conditions) ? (conditions as Condition[]) : [];
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const signalOf = (options: WaitOptions) => (options.abortSignal ? { abortSignal: options.abortSignal } : {});

/** Why a namespace is still there, from the namespace controller's conditions. */
function remainingOf(namespace: KubeObject): string {
  const holding = conditionsOf(namespace)
    .filter((c) => c.status === "True" && /Remaining|Failure/.test(c.type ?? "") && c.message)
    .map((c) => c.message);
  return holding.length > 0 ? ` (${holding.join("; ")})` : "";
}

/** Waits until the namespace is deleted; returns undefined when gone, else why it is not. */
export async function waitForNamespaceGone(
  cluster: Cluster,
  name: string,
  options: WaitOptions = {},
): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  let last: KubeObject | undefined;
  for (;;) {
    try {
      last = await cluster.request<KubeObject>(
        "GET",
        `/api/v1/namespaces/${encodeURIComponent(name)}`,
        signalOf(options),
      );
    } catch (error) {
      if (isKubeApiError(error, 404)) return undefined;
      throw error;
    }
    if (!last.metadata.deletionTimestamp) return undefined;
    if (performance.now() >= deadline) {
      return `namespace ${name} is still Terminating after ${seconds(timeoutMs)}${remainingOf(last)}`;
    }
    await pause(options.pollIntervalMs ?? DEFAULT_POLL_MS, options.abortSignal);
  }
}

interface CrdSpec {
  group?: string;
  names?: { plural?: string };
  versions?: Array<{ name?: string; served?: boolean }>;
}

/** Whether discovery lists the CRD's type in every served version. */
async function isServed(cluster: Cluster, crd: KubeObject, options: WaitOptions): Promise<boolean> {
  const spec = (crd.spec ?? {}) as CrdSpec;
  const versions = (spec.versions ?? []).filter((v) => v.served !== false && v.name);
  for (const version of versions) {
    try {
      const list = await cluster.request<{ resources?: Array<{ name?: string }> }>(
        "GET",
        `/apis/${spec.group}/${version.name}`,
        signalOf(options),
      );
      if (!(list.resources ?? []).some((r) => r.name === spec.names?.plural)) return false;
    } catch (error) {
      if (isKubeApiError(error, 404)) return false;
      throw error;
    }
  }
  return true;
}

type CrdState = { ready: true } | { ready: false; why: string };

async function crdState(cluster: Cluster, name: string, options: WaitOptions): Promise<CrdState> {
  let crd: KubeObject;
  try {
    crd = await cluster.request<KubeObject>(
      "GET",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`,
      signalOf(options),
    );
  } catch (error) {
    if (isKubeApiError(error, 404)) return { ready: false, why: "it does not exist" };
    throw error;
  }
  const conditions = conditionsOf(crd);
  const established = conditions.find((c) => c.type === "Established");
  if (established?.status !== "True") {
    const names = conditions.find((c) => c.type === "NamesAccepted" && c.status === "False");
    const said = names?.message ?? established?.message;
    return { ready: false, why: `not Established${said ? `: ${said}` : ""}` };
  }
  if (!(await isServed(cluster, crd, options)))
    return { ready: false, why: "Established but not yet served" };
  return { ready: true };
}

/**
 * Polls the named CustomResourceDefinitions until each is Established and its type is in
 * discovery. Returns, for each one that is not by the deadline, why (an empty map: all ready).
 */
export async function waitForEstablished(
  cluster: Cluster,
  crdNames: readonly string[],
  options: WaitOptions = {},
): Promise<Map<string, string>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = performance.now() + timeoutMs;
  let pending = new Map(crdNames.map((name) => [name, "not checked"]));
  for (;;) {
    const states = await Promise.all(
      [...pending.keys()].map(async (name) => [name, await crdState(cluster, name, options)] as const),
    );
    pending = new Map(states.flatMap(([name, state]) => (state.ready ? [] : [[name, state.why]])));
    if (pending.size === 0) return pending;
    if (performance.now() >= deadline) {
      return new Map(
        [...pending].map(([name, why]) => [
          name,
          `CustomResourceDefinition ${name} is not ready after ${seconds(timeoutMs)}: ${why}`,
        ]),
      );
    }
    await pause(options.pollIntervalMs ?? DEFAULT_POLL_MS, options.abortSignal);
  }
}
