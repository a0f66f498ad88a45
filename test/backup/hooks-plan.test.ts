// Reading hooks as users write them (Velero annotations, BackupHook rules) and choosing the pods
// they run in: pure, no cluster.
import { describe, expect, it } from "vitest";
import {
  formatDuration,
  hookFromAnnotations,
  parseGoDuration,
  rulesFromBackupHook,
} from "../../src/backup/hooks/parse.js";
import { planHooks } from "../../src/backup/hooks/plan.js";
import type { KubeObject } from "../../src/kube/types.js";
import type { DiskVolume } from "../../src/volumes/discovery.js";

function pod(
  name: string,
  options: {
    claims?: string[];
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    phase?: string;
  },
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "shop",
      labels: options.labels ?? {},
      annotations: options.annotations ?? {},
    },
    spec: {
      containers: [{ name: "main" }, { name: "sidecar" }],
      volumes: (options.claims ?? []).map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })),
    },
    status: { phase: options.phase ?? "Running" },
  };
}

const disk = (claim: string): DiskVolume => ({
  pvc: `shop/${claim}`,
  namespace: "shop",
  claimName: claim,
  pv: `pv-${claim}`,
  diskId: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/${claim}`,
  source: "csi",
});

describe("Go durations", () => {
  it("parses what time.ParseDuration accepts and refuses the rest", () => {
    expect(parseGoDuration("30s")).toBe(30_000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("250ms")).toBe(250);
    expect(parseGoDuration("0")).toBe(0);
    for (const bad of ["", "30", "s", "1x", "-5s", "5 s"]) expect(parseGoDuration(bad)).toBeUndefined();
  });

  it("prints as Go does", () => {
    expect(formatDuration(30_000)).toBe("30s");
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(3_600_000)).toBe("1h0m0s");
    expect(formatDuration(500)).toBe("500ms");
  });
});

describe("annotations", () => {
  it("reads a JSON array or a single word, with Fail and 30s by default", () => {
    const array = hookFromAnnotations({ "pre.hook.backup.velero.io/command": '["sh", "-c", "sync"]' }, "pre");
    expect(array).toEqual({
      value: { source: "annotations", command: ["sh", "-c", "sync"], onError: "Fail", timeoutMs: 30_000 },
      warnings: [],
    });
    const word = hookFromAnnotations(
      {
        "post.hook.backup.velero.io/command": "/thaw.sh",
        "post.hook.backup.velero.io/container": "db",
        "post.hook.backup.velero.io/on-error": "Continue",
        "post.hook.backup.velero.io/timeout": "2m",
      },
      "post",
    );
    expect(word?.value).toEqual({
      source: "annotations",
      container: "db",
      command: ["/thaw.sh"],
      onError: "Continue",
      timeoutMs: 120_000,
    });
    expect(hookFromAnnotations({ "post.hook.backup.velero.io/command": "x" }, "pre")).toBeUndefined();
  });

  it("warns and uses defaults for a bad on-error or timeout; a bad command cannot run", () => {
    const parsed = hookFromAnnotations(
      {
        "pre.hook.backup.velero.io/command": '["fsfreeze", 1]',
        "pre.hook.backup.velero.io/on-error": "Ignore",
        "pre.hook.backup.velero.io/timeout": "soon",
      },
      "pre",
    );
    expect(parsed?.value).toMatchObject({ onError: "Fail", timeoutMs: 30_000 });
    expect(parsed?.value.problem).toBe('command ["fsfreeze", 1] is not a JSON array of strings');
    expect(parsed?.warnings).toEqual([
      'pre.hook.backup.velero.io/command: on-error "Ignore" is not Continue or Fail; using Fail',
      'pre.hook.backup.velero.io/command: timeout "soon" is not a duration such as 30s; using 30s',
    ]);
  });
});

describe("BackupHook rules", () => {
  it("reads namespaces, the label selector and both hook lists", () => {
    const { value, warnings } = rulesFromBackupHook({
      metadata: { namespace: "ops", name: "quiesce" },
      spec: {
        backupHook: [
          {
            name: "db",
            includedNamespaces: ["shop"],
            labelSelector: {
              matchLabels: { app: "db" },
              matchExpressions: [{ key: "tier", operator: "NotIn", values: ["cache"] }],
            },
            preHooks: [{ exec: { command: ["fsfreeze", "--freeze", "/data"], timeout: "10s" } }],
            postHooks: [{ exec: { command: "oops" } }],
          },
        ],
      },
    });
    expect(warnings).toEqual([]);
    expect(value).toEqual([
      {
        source: "BackupHook ops/quiesce (db)",
        includedNamespaces: ["shop"],
        excludedNamespaces: [],
        selector: [
          { key: "app", operator: "In", values: ["db"] },
          { key: "tier", operator: "NotIn", values: ["cache"] },
        ],
        pre: [
          {
            source: "BackupHook ops/quiesce (db)",
            command: ["fsfreeze", "--freeze", "/data"],
            onError: "Fail",
            timeoutMs: 10_000,
          },
        ],
        post: [
          expect.objectContaining({
            problem: "exec.command is not a non-empty array of strings",
            command: [],
          }),
        ],
      },
    ]);
  });

  it("warns about an object without rules", () => {
    expect(rulesFromBackupHook({ metadata: { namespace: "ops", name: "empty" }, spec: {} }).warnings).toEqual(
      ["BackupHook ops/empty has no spec.backupHook entries"],
    );
  });
});

describe("planHooks", () => {
  const rules = rulesFromBackupHook({
    metadata: { namespace: "shop", name: "h" },
    spec: {
      backupHook: [
        {
          name: "all",
          labelSelector: { matchLabels: { app: "db" } },
          preHooks: [{ exec: { command: ["sync"] } }],
        },
      ],
    },
  }).value;

  it("chooses running pods that mount a snapshotted claim; annotations win over rules", () => {
    const pods = [
      pod("annotated", {
        claims: ["data"],
        labels: { app: "db" },
        annotations: {
          "pre.hook.backup.velero.io/command": "true",
          "pre.hook.backup.velero.io/container": "sidecar",
        },
      }),
      pod("ruled", { claims: ["data", "logs", "other"], labels: { app: "db" } }),
      pod("unlabelled", { claims: ["data"] }),
      pod("no-volume", { labels: { app: "db" } }),
      pod("pending", { claims: ["data"], labels: { app: "db" }, phase: "Pending" }),
    ];
    const plan = planHooks(pods, [disk("data"), disk("logs")], rules);
    expect(
      plan.pods.map((p) => [p.pod, p.claims, p.pre.map((h) => [h.container, h.command.join(" ")])]),
    ).toEqual([
      ["annotated", ["shop/data"], [["sidecar", "true"]]],
      ["ruled", ["shop/data", "shop/logs"], [["main", "sync"]]],
    ]);
  });
});
