// Restore hooks end to end: a namespace backed up by the durable backup and restored by the durable
// restore into mapped namespaces of the simulator. Exec hooks of Deployment pod templates run in
// the new pods once they run, a RestoreHook object selects pods by label in the mapped namespace,
// on-error Fail and Continue show in the result, and a restored bare Pod gets its init container.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import type { KubeObject } from "../../src/kube/types.js";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import { type RestoreRequestInput, restoreRequestSchema } from "../../src/model/restore-request.js";
import type { BackupOutput } from "../../src/orchestrations/backup-instance.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { registerAll } from "../../src/orchestrations/index.js";
import { RESTORE, type RestoreOutput, readRestoreResult } from "../../src/orchestrations/restore.js";
import { runRestoreHooksActivity } from "../../src/orchestrations/restore-hooks.js";
import type { StoredRestoreResult } from "../../src/orchestrations/restore-parts.js";
import type { KubeObject as SimObject } from "../../src/sim/kube/types.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        post.hook.restore.velero.io/command: '["seed-cache", "--warm"]'
        post.hook.restore.velero.io/container: web
        post.hook.restore.velero.io/on-error: Fail
    spec:
      containers: [{name: proxy, image: envoyproxy/envoy:v1.31}, {name: web, image: nginx:1.27}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata:
      labels: {app: worker}
      annotations:
        post.hook.restore.velero.io/command: flaky
    spec:
      containers: [{name: worker, image: busybox:1.36}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db, tier: data}
    spec:
      containers: [{name: db, image: postgres:16}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata:
      labels: {app: agent}
      annotations:
        post.hook.restore.velero.io/command: '["register-agent"]'
    spec:
      containers: [{name: agent, image: fluent/fluent-bit:3.1}]
---
apiVersion: v1
kind: Pod
metadata:
  name: box
  namespace: shop
  annotations:
    init.hook.restore.velero.io/container-image: alpine:3.20
    init.hook.restore.velero.io/container-name: restore-prep
    init.hook.restore.velero.io/command: '["/bin/ash", "-c", "date"]'
spec:
  containers: [{name: app, image: busybox:1.36}]
---
apiVersion: v1
kind: Pod
metadata:
  name: stuck
  namespace: shop
  annotations:
    post.hook.restore.velero.io/command: "true"
    post.hook.restore.velero.io/wait-timeout: 1s
spec:
  nodeSelector: {pool: none}
  containers: [{name: app, image: busybox:1.36}]
`;

const RESTORE_HOOK_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: restorehooks.clusterbackup.dataprotection.microsoft.com}
spec:
  group: clusterbackup.dataprotection.microsoft.com
  scope: Namespaced
  names: {plural: restorehooks, singular: restorehook, kind: RestoreHook}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

// Azure's template: hooks for the pods of the restored (target) namespace shop-copy only.
const RESTORE_HOOK = `
apiVersion: v1
kind: Namespace
metadata: {name: hooks}
---
apiVersion: clusterbackup.dataprotection.microsoft.com/v1alpha1
kind: RestoreHook
metadata: {name: load, namespace: hooks}
spec:
  restoreHook:
  - name: load-dump
    includedNamespaces: [shop-copy]
    labelSelector: {matchLabels: {tier: data}}
    postHooks:
    - exec: {command: [load-dump, /backup/dump.sql], onError: Fail, execTimeout: 30s, waitTimeout: 1m}
`;

interface Call {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** The pod's phase when the command ran. */
  phase: string;
}

describe("restore hooks", () => {
  const sim = useSimulator();
  let env: Environment;
  let runtime: LocalRuntime;
  let dir: string;
  let recoveryPointId: string;
  const calls: Call[] = [];
  const removals: Array<() => void> = [];

  async function restore(request: Omit<RestoreRequestInput, "recoveryPointId">) {
    const parsed = restoreRequestSchema.parse({ recoveryPointId, ...request });
    const restoreId = `restore:${recoveryPointId}:${Math.random().toString(16).slice(2, 8)}`;
    await runtime.startNew(RESTORE, {
      instanceId: restoreId,
      input: { restoreId, instance: "shop", targetCluster: "sim", request: parsed },
    });
    const status = await runtime.waitForCompletion(restoreId, { timeoutMs: 20_000 });
    expect(status.runtimeStatus, String(status.error ?? "")).toBe("Completed");
    const result = (await readRestoreResult(env, restoreId)) as StoredRestoreResult;
    return { output: status.output as RestoreOutput, result };
  }

  async function pod(namespace: string, name: string): Promise<KubeObject> {
    const { code, stdout, stderr } = await kubectl(sim(), [
      "get",
      "pod",
      name,
      "-n",
      namespace,
      "-o",
      "json",
    ]);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout) as KubeObject;
  }

  const callsIn = (namespace: string) => calls.filter((call) => call.namespace === namespace);

  beforeAll(async () => {
    const created = await kubectl(sim(), ["create", "-f", "-"], [SHOP, RESTORE_HOOK_CRD].join("---\n"));
    expect(created.code, created.stderr).toBe(0);
    await kubectl(sim(), [
      "wait",
      "--for=condition=Established",
      "crd/restorehooks.clusterbackup.dataprotection.microsoft.com",
    ]);
    const hook = await kubectl(sim(), ["create", "-f", "-"], RESTORE_HOOK);
    expect(hook.code, hook.stderr).toBe(0);
    await sim().controllers.idle();
    // The application's own commands, recorded with the phase of the pod they ran in.
    const record =
      (exitCode: number, stderr = "") =>
      (target: SimObject, container: string, command: string[]) => {
        calls.push({
          namespace: target.metadata?.namespace ?? "",
          pod: target.metadata?.name ?? "",
          container,
          command,
          phase: (target.status as { phase?: string } | undefined)?.phase ?? "",
        });
        return { exitCode, stderr };
      };
    removals.push(
      sim().kube.exec.registerExec((target, container, command) => {
        if (command[0] === "seed-cache") {
          const broken = target.metadata?.namespace === "shop-fail";
          return record(broken ? 3 : 0, broken ? "cache unreachable" : "")(target, container, command);
        }
        if (command[0] === "load-dump" || command[0] === "register-agent") {
          return record(0)(target, container, command);
        }
        if (command[0] === "flaky") return record(1, "flaky failed")(target, container, command);
        return undefined;
      }),
    );

    dir = await mkdtemp(join(tmpdir(), "restore-hooks-"));
    await writeFile(join(dir, "sim"), sim().kubeconfig);
    env = createEnvironment({
      service: BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")),
      container: `restore-hooks-${Date.now()}`,
      azure: {
        credential: new StaticTokenCredential(sim().token),
        endpoint: { endpoint: sim().azure.url, caCert: sim().tls.caCert },
      },
    });
    await env.definitions.ensureContainer();
    await env.definitions.put("cluster", {
      name: "sim",
      kubeconfig: join(dir, "sim"),
      aksResourceId: sim().aksResourceId,
    });
    await env.definitions.put("policy", {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    });
    await env.definitions.put("instance", {
      name: "shop",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["shop"],
    });
    const registry = await captureRegistrations(() => registerAll(async () => env));
    runtime = new LocalRuntime(registry, { delay: async () => undefined });
    const backupId = await runtime.startNew("backupInstance", {
      input: { instance: "shop", trigger: "OnDemand" },
    });
    const backup = await runtime.waitForCompletion(backupId, { timeoutMs: 20_000 });
    const output = backup.output as BackupOutput;
    expect(output.status).toBe("Succeeded");
    recoveryPointId = output.recoveryPointId ?? "";
  });

  afterEach(() => {
    calls.length = 0;
  });

  afterAll(async () => {
    for (const remove of removals) remove();
    await runtime?.close();
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("runs the hooks of the pod templates and of a RestoreHook in the new, running pods of the mapped namespace", async () => {
    const { output, result } = await restore({
      includedNamespaces: ["shop"],
      namespaceMappings: { shop: "shop-copy" },
      restoreHookReferences: [{ namespace: "hooks", name: "load" }],
    });

    // Each of the Deployment's two pods ran the template's command in its web container, once.
    const seeded = callsIn("shop-copy").filter((call) => call.command[0] === "seed-cache");
    expect(seeded).toHaveLength(2);
    expect(new Set(seeded.map((call) => call.pod)).size).toBe(2);
    for (const call of seeded) {
      expect(call).toMatchObject({ container: "web", command: ["seed-cache", "--warm"], phase: "Running" });
      expect(call.pod).toMatch(/^web-/);
    }
    // The RestoreHook selects the db pod by its label in the restored namespace (its first container).
    expect(callsIn("shop-copy").filter((call) => call.command[0] === "load-dump")).toEqual([
      {
        namespace: "shop-copy",
        pod: expect.stringMatching(/^db-/),
        container: "db",
        command: ["load-dump", "/backup/dump.sql"],
        phase: "Running",
      },
    ]);
    // The DaemonSet's hook ran in its pod on every node.
    const nodes = (await kubectl(sim(), ["get", "nodes", "-o", "name"])).stdout.trim().split("\n").length;
    const agents = callsIn("shop-copy").filter((call) => call.command[0] === "register-agent");
    expect(new Set(agents.map((call) => call.pod)).size).toBe(nodes);
    expect(nodes).toBeGreaterThan(1);
    // Nothing ran in the original namespace.
    expect(callsIn("shop")).toEqual([]);

    // Failures of Continue hooks are warnings: the restore succeeded.
    expect(output.status).toBe("Succeeded");
    expect(result.status).toBe("Succeeded");
    expect(result.hooks).toMatchObject({
      targets: 5,
      pods: 5 + nodes,
      succeeded: 3 + nodes,
      failed: 2,
      errors: [],
    });
    const hookWarnings = result.warnings.filter((warning) => warning.includes("restore-hook"));
    expect(hookWarnings).toEqual([
      expect.stringMatching(
        /^restore-hook \[flaky\] \(annotations\) in pod shop-copy\/worker-\S+, container worker failed with exit code 1: flaky failed \(on-error Continue\)$/,
      ),
      "restore-hook [true] (annotations) not run: container app of pod shop-copy/stuck was not running within 1s (wait-timeout) (on-error Continue)",
    ]);
    expect(result.hooks?.log.filter((entry) => entry.message === "restore-hook ran")).toHaveLength(4 + nodes);

    // The step run again (a replay) returns what was recorded and runs no command twice.
    const ran = calls.length;
    const again = await runRestoreHooksActivity(
      { restoreId: output.restoreId, references: [{ namespace: "hooks", name: "load" }] },
      env,
    );
    expect(again).toEqual({ targets: 5, pods: 5 + nodes, succeeded: 3 + nodes, failed: 2, errors: 0 });
    expect(calls).toHaveLength(ran);
  });

  it("adds the init container of a restored bare Pod's annotations first, and the pod starts with it", async () => {
    await restore({ includedNamespaces: ["shop"], namespaceMappings: { shop: "shop-init" } });
    const box = await pod("shop-init", "box");
    const spec = box.spec as { initContainers?: Array<Record<string, unknown>> };
    expect(spec.initContainers?.[0]).toMatchObject({
      name: "restore-prep",
      image: "alpine:3.20",
      command: ["/bin/ash", "-c", "date"],
    });
    const status = box.status as { phase?: string; initContainerStatuses?: Array<{ name?: string }> };
    expect(status.phase).toBe("Running");
    expect(status.initContainerStatuses?.map((s) => s.name)).toEqual(["restore-prep"]);
    // The original pod is as it was.
    expect((await pod("shop", "box")).spec).not.toHaveProperty("initContainers");
  });

  it("makes the restore PartiallySucceeded with the hook's error when an on-error Fail hook fails", async () => {
    const { output, result } = await restore({
      includedNamespaces: ["shop"],
      namespaceMappings: { shop: "shop-fail" },
    });
    expect(output.status).toBe("PartiallySucceeded");
    expect(result.status).toBe("PartiallySucceeded");
    // Every object was restored: only the hooks failed.
    expect(result.counts.failed).toBe(0);
    expect(result.hooks?.errors).toEqual([
      expect.stringMatching(
        /^restore-hook \[seed-cache --warm\] \(annotations\) in pod shop-fail\/web-\S+, container web failed with exit code 3: cache unreachable \(on-error Fail\)$/,
      ),
      expect.stringMatching(
        /^restore-hook \[seed-cache --warm\] .* in pod shop-fail\/web-\S+, .* \(on-error Fail\)$/,
      ),
    ]);
    // Without the RestoreHook reference the db pod gets no hook.
    expect(
      callsIn("shop-fail")
        .map((call) => call.command[0])
        .filter((command) => command !== "register-agent")
        .sort(),
    ).toEqual(["flaky", "seed-cache", "seed-cache"]);
  });

  it("runs nothing in a dry run and says which hooks would run", async () => {
    const { output, result } = await restore({
      includedNamespaces: ["shop"],
      namespaceMappings: { shop: "shop-dry" },
      dryRun: true,
    });
    expect(output.status).toBe("Succeeded");
    expect(calls).toEqual([]);
    expect(result.hooks).toMatchObject({ targets: 4, pods: 0, succeeded: 0, failed: 0, errors: [] });
    expect(result.warnings).toContain(
      "dry run: restore hooks would run in Deployment shop-dry/web (2 pods, waited for up to 5m0s): [seed-cache --warm] (annotations)",
    );
  });
});
