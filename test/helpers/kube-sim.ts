// Test access to the simulated API server alone (no controllers, no Azure fake): a fresh server per
// test file, raw HTTPS requests with its CA, a client-node KubeConfig and kubectl with a kubeconfig.
import { request as httpsRequest } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll } from "vitest";
import { type KubeSim, type KubeSimOptions, startKubeSim } from "../../src/sim/kube/server.js";
import type { ResourceInfo } from "../../src/sim/kube/types.js";
import { renderKubeconfig } from "../../src/sim/kubeconfig.js";
import { createTlsMaterial, type TlsMaterial } from "../../src/sim/tls.js";
import { type KubectlResult, runKubectl } from "./kubectl.js";

export { eventually } from "./eventually.js";

export type { KubectlResult };

export interface KubeSimHarness {
  sim: KubeSim;
  tls: TlsMaterial;
  token: string;
  kubeconfig: string;
  kubeConfig: KubeConfig;
  /** A resource type as the store serves it (throws if not served). */
  type(group: string, resource: string): ResourceInfo;
}

/** Starts a fresh API server before the file's tests and stops it after. */
export function useKubeSim(
  options: Partial<Omit<KubeSimOptions, "tls" | "token">> = {},
): () => KubeSimHarness {
  let harness: KubeSimHarness | undefined;
  beforeAll(async () => {
    const tls = await createTlsMaterial();
    const token = "kube-sim-test-token";
    const sim = await startKubeSim({ tls, token, ...options });
    const kubeconfig = renderKubeconfig({ name: "sim", server: sim.url, caCert: tls.caCert, token });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfig);
    harness = {
      sim,
      tls,
      token,
      kubeconfig,
      kubeConfig,
      type(group, resource) {
        const t = sim.store.resourceFor(group, resource);
        if (!t) throw new Error(`${resource}.${group} is not served`);
        return t;
      },
    };
  });
  afterAll(async () => {
    await harness?.sim.close();
  });
  return () => {
    if (!harness) throw new Error("useKubeSim must be called in a describe block");
    return harness;
  };
}

/** A response; `json` is the parsed body, typed by the caller's expectation (`raw<Shape>(...)`). */
export interface RawResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: T;
}

export interface RawRequestOptions {
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Bearer token; null sends none. Defaults to the harness token. */
  token?: string | null;
}

/** One HTTPS request to the server, verified against its CA; never throws on an error status. */
export function raw<T = unknown>(
  h: KubeSimHarness,
  method: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResponse<T>> {
  const url = new URL(path, h.sim.url);
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const token = options.token === undefined ? h.token : options.token;
  return new Promise<RawResponse<T>>((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca: h.tls.caCert,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined
            ? {
                "Content-Type": options.contentType ?? "application/json",
                "Content-Length": String(Buffer.byteLength(body)),
              }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          // The caller names the shape it expects; the assertions check it.
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: json as T });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs the real kubectl against the server with a private kubeconfig; never throws on failure. */
export function kubectlAgainst(h: KubeSimHarness, args: string[], input?: string): Promise<KubectlResult> {
  return runKubectl(h.kubeconfig, args, input);
}

/** Marks a CRD Established as the CRD controller would (these tests run the API server alone). */
/**
 * Plays the apiextensions finalizer controller, which this server-only harness does not run: deletes
 * a terminating CRD's instances and removes its cleanup finalizer, so the CRD goes.
 */
export function finalizeCrd(h: KubeSimHarness, name: string): void {
  const crds = h.type("apiextensions.k8s.io", "customresourcedefinitions");
  const crd = h.sim.store.get(crds, undefined, name);
  if (!crd?.metadata?.deletionTimestamp) throw new Error(`CRD ${name} is not terminating`);
  const spec = crd.spec as { group: string; names: { plural: string } };
  const type = h.sim.store.resourceFor(spec.group, spec.names.plural);
  for (const item of type ? h.sim.store.list(type).items : []) {
    if (type) h.sim.store.delete(type, item.metadata?.namespace, item.metadata?.name ?? "");
  }
  crd.metadata.finalizers = crd.metadata.finalizers?.filter(
    (f) => f !== "customresourcecleanup.apiextensions.k8s.io",
  );
  h.sim.store.updateStatus(crds, crd);
}

export function establishCrd(h: KubeSimHarness, name: string): void {
  const crds = h.type("apiextensions.k8s.io", "customresourcedefinitions");
  const crd = h.sim.store.get(crds, undefined, name);
  if (!crd) throw new Error(`no CRD ${name}`);
  const spec = crd.spec as { names?: Record<string, unknown> };
  crd.status = {
    ...(crd.status as object),
    acceptedNames: spec.names ?? {},
    conditions: [
      { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" },
      {
        type: "Established",
        status: "True",
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
      },
    ],
  };
  h.sim.store.updateStatus(crds, crd);
}
