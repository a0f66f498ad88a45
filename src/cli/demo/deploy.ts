// Puts the demo's sample applications into a cluster the way a user would — objects created through
// the Kubernetes API with @kubernetes/client-node and a kubeconfig — and waits until their workloads
// are ready and every claim they need is Bound to an Azure disk.
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
} from "@kubernetes/client-node";
import type { DemoApp } from "./apps.js";

const AZURE_DISK_DRIVER = "disk.csi.azure.com";

export interface WaitOptions {
  /** Default 60 s. */
  timeoutMs?: number;
  /** Default 100 ms. */
  pollMs?: number;
  abortSignal?: AbortSignal;
}

/** Creates every object of the apps, in the order written. */
export async function deployApps(kubeconfig: KubeConfig, apps: readonly DemoApp[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kubeconfig);
  for (const app of apps) {
    for (const object of loadAllYaml(app.manifests) as KubernetesObject[]) {
      try {
        await client.create(object);
      } catch (error) {
        const what = `${object.kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
        throw new Error(`demo app ${app.name}: cannot create ${what}: ${describeError(error)}`, {
          cause: error,
        });
      }
    }
  }
}

/** Waits until the apps' workloads are ready and their claims Bound to Azure disks; throws naming what is not. */
export async function waitForApps(
  kubeconfig: KubeConfig,
  apps: readonly DemoApp[],
  options: WaitOptions = {},
): Promise<void> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const appsApi = kubeconfig.makeApiClient(AppsV1Api);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    options.abortSignal?.throwIfAborted();
    const pending = await notReady(core, appsApi, apps);
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`the demo applications did not become ready: ${pending.join("; ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}

/** What is still missing, one phrase each; empty when everything is ready. */
async function notReady(core: CoreV1Api, appsApi: AppsV1Api, apps: readonly DemoApp[]): Promise<string[]> {
  const pending: string[] = [];
  for (const namespace of new Set(apps.map((app) => app.namespace))) {
    pending.push(...(await workloadsNotReady(appsApi, namespace)));
  }
  for (const app of apps) {
    for (const claim of app.claims) {
      const problem = await claimProblem(core, app.namespace, claim);
      if (problem) pending.push(problem);
    }
  }
  return pending;
}

async function workloadsNotReady(appsApi: AppsV1Api, namespace: string): Promise<string[]> {
  const deployments = (await appsApi.listNamespacedDeployment({ namespace })).items;
  const sets = (await appsApi.listNamespacedStatefulSet({ namespace })).items;
  return [...deployments, ...sets]
    .filter((w) => (w.status?.readyReplicas ?? 0) < (w.spec?.replicas ?? 1))
    .map(
      (w) =>
        `${namespace}/${w.metadata?.name}: ${w.status?.readyReplicas ?? 0}/${w.spec?.replicas ?? 1} replicas ready`,
    );
}

async function claimProblem(core: CoreV1Api, namespace: string, name: string): Promise<string | undefined> {
  const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items;
  const claim = claims.find((c) => c.metadata?.name === name);
  if (!claim) return `claim ${namespace}/${name} not created yet`;
  const volumeName = claim.spec?.volumeName;
  if (claim.status?.phase !== "Bound" || !volumeName) {
    return `claim ${namespace}/${name} is ${claim.status?.phase ?? "Pending"}`;
  }
  const pv = await core.readPersistentVolume({ name: volumeName });
  const driver = pv.spec?.csi?.driver;
  return driver === AZURE_DISK_DRIVER
    ? undefined
    : `claim ${namespace}/${name} is bound to ${volumeName}, not an Azure disk (${driver ?? "no CSI driver"})`;
}

function describeError(error: unknown): string {
  if (error && typeof error === "object" && "body" in error && typeof error.body === "string") {
    try {
      const status = JSON.parse(error.body) as { message?: string };
      if (status.message) return status.message;
    } catch {
      return error.body;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
