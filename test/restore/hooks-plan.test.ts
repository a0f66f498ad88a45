// Restore hooks, pure: Velero's restore annotations and Azure's RestoreHook read into hooks (with
// the defaults and warnings a user sees), which restored pods and workloads get them, when a hook
// can run in a pod, and the init container a restored Pod gets from its annotations.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/types.js";
import { runRestoreItemActions } from "../../src/restore/actions/index.js";
import {
  DEFAULT_WAIT_TIMEOUT_MS,
  initContainerFromAnnotations,
  restoreHookFromAnnotations,
  rulesFromRestoreHook,
} from "../../src/restore/hooks/parse.js";
import { statusWithHooks } from "../../src/restore/hooks/result.js";
import {
  type AppliedItem,
  hasRestoreHookAnnotations,
  hookCanRun,
  planHookTargets,
  planPodHooks,
} from "../../src/restore/hooks/targets.js";
import type { PlannedItem } from "../../src/restore/types.js";

const EXEC = "post.hook.restore.velero.io/";
const INIT = "init.hook.restore.velero.io/";

describe("restore hook annotations", () => {
  it.each([
    {
      name: "a JSON array with every field",
      annotations: {
        [`${EXEC}command`]: '["/bin/sh","-c","psql < /backup/dump.sql"]',
        [`${EXEC}container`]: "postgres",
        [`${EXEC}on-error`]: "Fail",
        [`${EXEC}exec-timeout`]: "45s",
        [`${EXEC}wait-timeout`]: "10m",
        [`${EXEC}wait-for-ready`]: "true",
      },
      hook: {
        command: ["/bin/sh", "-c", "psql < /backup/dump.sql"],
        container: "postgres",
        onError: "Fail",
        timeoutMs: 45_000,
        waitTimeoutMs: 600_000,
        waitForReady: true,
      },
      warnings: [],
    },
    {
      name: "one word, Velero's defaults: Continue, 30s, 5m, running is enough",
      annotations: { [`${EXEC}command`]: "warm-cache" },
      hook: {
        command: ["warm-cache"],
        onError: "Continue",
        timeoutMs: 30_000,
        waitTimeoutMs: DEFAULT_WAIT_TIMEOUT_MS,
        waitForReady: false,
      },
      warnings: [],
    },
    {
      name: "bad values fall back to the defaults, each with a warning",
      annotations: {
        [`${EXEC}command`]: "warm-cache",
        [`${EXEC}on-error`]: "Abort",
        [`${EXEC}exec-timeout`]: "soon",
        [`${EXEC}wait-timeout`]: "5 minutes",
        [`${EXEC}wait-for-ready`]: "yes",
      },
      hook: { onError: "Continue", timeoutMs: 30_000, waitTimeoutMs: 300_000, waitForReady: false },
      warnings: [
        `${EXEC}command: on-error "Abort" is not Continue or Fail; using Continue`,
        `${EXEC}command: exec-timeout "soon" is not a duration such as 30s; using 30s`,
        `${EXEC}command: wait-timeout "5 minutes" is not a duration such as 5m; using 5m`,
        `${EXEC}command: wait-for-ready "yes" is not true or false; using false`,
      ],
    },
    {
      name: "a command that is not a JSON array of strings cannot run",
      annotations: { [`${EXEC}command`]: '["psql", 3]' },
      hook: { command: [], problem: 'command ["psql", 3] is not a JSON array of strings' },
      warnings: [],
    },
  ])("$name", ({ annotations, hook, warnings }) => {
    const parsed = restoreHookFromAnnotations(annotations as Record<string, string>);
    expect(parsed?.value).toMatchObject({ source: "annotations", ...hook });
    expect(parsed?.warnings).toEqual(warnings);
  });

  it("reads no hook without a command, and ignores the backup hooks' annotations", () => {
    expect(restoreHookFromAnnotations(undefined)).toBeUndefined();
    expect(restoreHookFromAnnotations({ [`${EXEC}container`]: "app" })).toBeUndefined();
    expect(restoreHookFromAnnotations({ "post.hook.backup.velero.io/command": "true" })).toBeUndefined();
  });

  it.each([
    {
      name: "image, name and a JSON command",
      annotations: {
        [`${INIT}container-image`]: "alpine:3.20",
        [`${INIT}container-name`]: "restore-prep",
        [`${INIT}command`]: '["/bin/ash","-c","date"]',
      },
      value: { name: "restore-prep", image: "alpine:3.20", command: ["/bin/ash", "-c", "date"] },
      warnings: [],
    },
    {
      name: "no name, no command: our fixed name and the image's entrypoint",
      annotations: { [`${INIT}container-image`]: "alpine:3.20" },
      value: { name: "restore-hook-init", image: "alpine:3.20" },
      warnings: [],
    },
    {
      name: "a broken command: the entrypoint, with a warning",
      annotations: { [`${INIT}container-image`]: "alpine:3.20", [`${INIT}command`]: "[oops" },
      value: { name: "restore-hook-init", image: "alpine:3.20" },
      warnings: [
        `${INIT}command: command [oops is not a JSON array of strings; the image's entrypoint is used`,
      ],
    },
  ])("init container: $name", ({ annotations, value, warnings }) => {
    expect(initContainerFromAnnotations(annotations as Record<string, string>)).toEqual({ value, warnings });
  });

  it("adds no init container without an image, as Velero", () => {
    expect(initContainerFromAnnotations({ [`${INIT}container-name`]: "prep" })).toBeUndefined();
  });
});

describe("RestoreHook objects", () => {
  const restoreHook = (spec: unknown) => ({ metadata: { namespace: "hooks", name: "db" }, spec });

  it("reads Azure's template: exec hooks with execTimeout and waitTimeout, selection by namespace and labels", () => {
    const parsed = rulesFromRestoreHook(
      restoreHook({
        restoreHook: [
          {
            name: "load",
            includedNamespaces: ["shop-*"],
            excludedNamespaces: ["shop-old"],
            labelSelector: {
              matchLabels: { app: "db" },
              matchExpressions: [{ key: "tier", operator: "Exists" }],
            },
            postHooks: [
              {
                exec: {
                  container: "db",
                  command: ["load-dump"],
                  onError: "Fail",
                  execTimeout: "1m",
                  waitTimeout: "2m",
                },
              },
              { exec: { command: ["warm"] } },
            ],
          },
        ],
      }),
    );
    expect(parsed.warnings).toEqual([]);
    expect(parsed.value).toEqual([
      {
        source: "RestoreHook hooks/db (load)",
        includedNamespaces: ["shop-*"],
        excludedNamespaces: ["shop-old"],
        selector: [
          { key: "app", operator: "In", values: ["db"] },
          { key: "tier", operator: "Exists", values: [] },
        ],
        hooks: [
          {
            source: "RestoreHook hooks/db (load)",
            container: "db",
            command: ["load-dump"],
            onError: "Fail",
            timeoutMs: 60_000,
            waitTimeoutMs: 120_000,
            waitForReady: false,
          },
          {
            source: "RestoreHook hooks/db (load)",
            command: ["warm"],
            onError: "Continue",
            timeoutMs: 30_000,
            waitTimeoutMs: DEFAULT_WAIT_TIMEOUT_MS,
            waitForReady: false,
          },
        ],
      },
    ]);
  });

  it.each([
    { spec: {}, warnings: ["RestoreHook hooks/db has no spec.restoreHook entries"] },
    {
      spec: { restoreHook: [{ postHooks: [{ init: { initContainers: [] } }] }] },
      warnings: [
        "RestoreHook hooks/db (#0) postHooks[0] has no exec; only exec hooks run from a RestoreHook",
      ],
    },
    {
      spec: {
        restoreHook: [{ name: "x", postHooks: [{ exec: { command: "psql", waitTimeout: "later" } }] }],
      },
      warnings: [
        'RestoreHook hooks/db (x) postHooks[0]: wait-timeout "later" is not a duration such as 5m; using 5m',
      ],
    },
  ])("warns about what it cannot use: $warnings", ({ spec, warnings }) => {
    expect(rulesFromRestoreHook(restoreHook(spec)).warnings).toEqual(warnings);
  });

  it("keeps a hook whose command is not a list, as one that cannot run", () => {
    const [rule] = rulesFromRestoreHook(
      restoreHook({ restoreHook: [{ postHooks: [{ exec: { command: "psql" } }] }] }),
    ).value;
    expect(rule?.hooks[0]?.problem).toBe("exec.command is not a non-empty array of strings");
  });
});

function planned(
  resource: string,
  namespace: string,
  name: string,
  object: Partial<KubeObject> & { spec?: unknown },
  oldUid = `uid-${name}`,
): PlannedItem {
  const group = resource === "pods" || resource === "replicationcontrollers" ? "" : "apps";
  const kind =
    {
      pods: "Pod",
      deployments: "Deployment",
      replicasets: "ReplicaSet",
      statefulsets: "StatefulSet",
      daemonsets: "DaemonSet",
      replicationcontrollers: "ReplicationController",
    }[resource] ?? resource;
  return {
    group,
    version: "v1",
    resource,
    kind,
    namespaced: true,
    namespace,
    name,
    oldUid,
    object: {
      apiVersion: group ? `${group}/v1` : "v1",
      kind,
      ...object,
      metadata: { namespace, name, ...object.metadata },
    },
  };
}

const hookAnnotations = { [`${EXEC}command`]: '["warm-cache"]', [`${EXEC}wait-timeout`]: "2m" };
const owned = (kind: string, name: string) => [
  { apiVersion: "apps/v1", kind, name, uid: `uid-${name}`, controller: true },
];

function workload(
  resource: string,
  name: string,
  annotations: Record<string, string>,
  spec: Record<string, unknown> = {},
) {
  return planned(resource, "shop-copy", name, {
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: "db" }, annotations },
        spec: { containers: [{ name: "app" }] },
      },
      ...spec,
    },
  });
}

const created = (...items: PlannedItem[]): AppliedItem[] =>
  items.map((item) => ({ item, outcome: "created" }));

describe("which restored pods get exec hooks", () => {
  it("waits for a Deployment's pods by its selector and leaves its ReplicaSet and pods to it", () => {
    const deployment = workload("deployments", "web", hookAnnotations, { replicas: 3 });
    const replicaSet = planned("replicasets", "shop-copy", "web-5d8f", {
      metadata: { ownerReferences: owned("Deployment", "web") },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { annotations: hookAnnotations } },
      },
    });
    const pod = planned("pods", "shop-copy", "web-5d8f-abcde", {
      metadata: { annotations: hookAnnotations, ownerReferences: owned("ReplicaSet", "web-5d8f") },
    });
    const { targets, warnings } = planHookTargets(created(deployment, replicaSet, pod), []);
    expect(warnings).toEqual([]);
    expect(targets).toEqual([
      {
        namespace: "shop-copy",
        kind: "Deployment",
        name: "web",
        selector: [{ key: "app", operator: "In", values: ["web"] }],
        replicas: 3,
        hooks: [expect.objectContaining({ command: ["warm-cache"], waitTimeoutMs: 120_000 })],
        waitTimeoutMs: 120_000,
      },
    ]);
  });

  it.each([
    { resource: "statefulsets", spec: {}, replicas: 1 },
    { resource: "replicasets", spec: { replicas: 2 }, replicas: 2 },
    { resource: "daemonsets", spec: {}, replicas: "desiredNumberScheduled" },
    { resource: "replicationcontrollers", spec: { replicas: 4, selector: { app: "rc" } }, replicas: 4 },
  ])("counts the pods of a $resource as $replicas", ({ resource, spec, replicas }) => {
    const { targets } = planHookTargets(created(workload(resource, "rc", hookAnnotations, spec)), []);
    expect(targets).toMatchObject([{ replicas, selector: [{ key: "app", operator: "In", values: ["rc"] }] }]);
  });

  it("finds a bare Pod by name, in its target namespace", () => {
    const pod = planned("pods", "shop-copy", "box", { metadata: { annotations: hookAnnotations } });
    expect(planHookTargets(created(pod), []).targets).toMatchObject([
      { namespace: "shop-copy", kind: "Pod", name: "box", podName: "box", replicas: 1 },
    ]);
  });

  it("gets nothing from items that existed already, and says why a scaled-down workload gets none", () => {
    const skipped: AppliedItem = {
      item: workload("deployments", "web", hookAnnotations),
      outcome: "skipped",
    };
    const patched: AppliedItem = {
      item: workload("deployments", "api", hookAnnotations),
      outcome: "patched",
    };
    const idle = workload("deployments", "idle", hookAnnotations, { replicas: 0 });
    const { targets, warnings } = planHookTargets([skipped, patched, ...created(idle)], []);
    expect(targets).toEqual([]);
    expect(warnings).toEqual(["Deployment shop-copy/idle: restore hooks not run: it has 0 replicas"]);
  });

  it("selects by a RestoreHook's labels in the mapped namespace; annotations win over rules", () => {
    const [rule] = rulesFromRestoreHook({
      metadata: { namespace: "hooks", name: "db" },
      spec: {
        restoreHook: [
          {
            name: "load",
            includedNamespaces: ["shop-copy"],
            labelSelector: { matchLabels: { tier: "db" } },
            postHooks: [{ exec: { command: ["load-dump"] } }],
          },
        ],
      },
    }).value;
    const rules = rule ? [rule] : [];
    const db = workload("statefulsets", "db", {});
    const annotated = workload("deployments", "web", hookAnnotations);
    const elsewhere = { ...workload("statefulsets", "other", {}), namespace: "shop" };
    const { targets } = planHookTargets(created(db, annotated, elsewhere), rules);
    expect(targets.map((t) => [t.name, t.hooks.map((h) => h.command[0])])).toEqual([
      ["db", ["load-dump"]],
      ["web", ["warm-cache"]],
    ]);
  });

  it("knows from the plan alone whether any pod or template carries a hook annotation", () => {
    expect(hasRestoreHookAnnotations([workload("deployments", "web", hookAnnotations)])).toBe(true);
    expect(
      hasRestoreHookAnnotations([workload("deployments", "web", {}), planned("pods", "a", "b", {})]),
    ).toBe(false);
  });
});

function livePod(
  containerState: Record<string, unknown>,
  extra: Partial<KubeObject["metadata"]> = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: "shop-copy", name: "web-1", annotations: hookAnnotations, ...extra },
    spec: { containers: [{ name: "web" }, { name: "proxy" }] },
    status: { phase: "Running", containerStatuses: [{ name: "web", ...containerState }] },
  };
}

describe("when a hook can run in a pod", () => {
  const [hook] = planPodHooks(livePod({}), []).value;

  it.each([
    { state: { state: { running: {} }, ready: false }, waitForReady: false, can: true },
    { state: { state: { running: {} }, ready: false }, waitForReady: true, can: false },
    { state: { state: { running: {} }, ready: true }, waitForReady: true, can: true },
    { state: { state: { waiting: { reason: "ContainerCreating" } } }, waitForReady: false, can: false },
  ])("container $state, wait-for-ready $waitForReady: $can", ({ state, waitForReady, can }) => {
    if (!hook) throw new Error("no hook planned");
    expect(hookCanRun(livePod(state), { ...hook, waitForReady })).toBe(can);
  });

  it("never in a pod being deleted", () => {
    if (!hook) throw new Error("no hook planned");
    expect(
      hookCanRun(livePod({ state: { running: {} } }, { deletionTimestamp: "2026-01-01T00:00:00Z" }), hook),
    ).toBe(false);
  });

  it("runs in the first container by default and names the containers when one is unknown", () => {
    expect(hook?.container).toBe("web");
    const [unknown] = planPodHooks(
      livePod({}, { annotations: { ...hookAnnotations, [`${EXEC}container`]: "db" } }),
      [],
    ).value;
    expect(unknown?.problem).toBe(
      'container "db" is not in pod shop-copy/web-1 (its containers: web, proxy)',
    );
  });
});

describe("the init-container hook of a restored Pod", () => {
  const pod = (annotations: Record<string, string>, initContainers?: unknown[]): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: "shop", name: "box", annotations },
    spec: { containers: [{ name: "app", image: "busybox" }], ...(initContainers ? { initContainers } : {}) },
  });
  const restore = (item: KubeObject) =>
    runRestoreItemActions(
      item,
      { group: "", resource: "pods" },
      { namespaceMapping: {}, itemsByOldUid: new Map() },
    );
  const initContainers = (item: KubeObject | undefined) =>
    (item?.spec as { initContainers?: unknown[] } | undefined)?.initContainers;
  const annotations = {
    [`${INIT}container-image`]: "alpine:3.20",
    [`${INIT}container-name`]: "restore-prep",
    [`${INIT}command`]: '["/bin/ash","-c","date"]',
  };

  it("goes first, before the pod's own init containers", () => {
    const outcome = restore(pod(annotations, [{ name: "migrate", image: "app" }]));
    expect(initContainers(outcome.item)).toEqual([
      { name: "restore-prep", image: "alpine:3.20", command: ["/bin/ash", "-c", "date"] },
      { name: "migrate", image: "app" },
    ]);
  });

  it("is not added twice to a pod that has it already (backed up after an earlier restore)", () => {
    const outcome = restore(pod(annotations, [{ name: "restore-prep", image: "alpine:3.20" }]));
    expect(initContainers(outcome.item)).toHaveLength(1);
    expect(outcome.warnings).toEqual([
      "init-container-hook: init container restore-prep not added: the pod has a container of that name",
    ]);
  });

  it("leaves a pod without the annotations alone", () => {
    expect(initContainers(restore(pod({})).item)).toBeUndefined();
  });
});

describe("the restore's status with its hooks", () => {
  const hooks = (errors: string[]) => ({
    targets: 1,
    pods: 1,
    succeeded: 0,
    failed: errors.length,
    errors,
    log: [],
  });
  it.each([
    { status: "Succeeded", errors: ["x"], expected: "PartiallySucceeded" },
    { status: "Succeeded", errors: [], expected: "Succeeded" },
    { status: "Failed", errors: ["x"], expected: "Failed" },
  ] as const)("$status with $errors.length hook errors: $expected", ({ status, errors, expected }) => {
    expect(statusWithHooks(status, hooks([...errors]))).toBe(expected);
  });
});
