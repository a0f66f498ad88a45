// The real kubectl against the simulated API server: create, client-side and server-side apply,
// get (server-side tables), delete (which waits through a watch), get -w, and a custom resource.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { establishCrd, eventually, finalizeCrd, kubectlAgainst, useKubeSim } from "../helpers/kube-sim.js";

const manifest = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
`;

describe("kubectl against kube-sim", () => {
  const h = useKubeSim();

  it("creates from a file, refusing to create twice", async () => {
    const created = await kubectlAgainst(h(), ["create", "-f", "-"], manifest);
    expect(created.stderr).toBe("");
    expect(created.stdout.trim().split("\n")).toEqual([
      "namespace/shop created",
      "configmap/settings created",
      "deployment.apps/web created",
      "service/web created",
    ]);
    const again = await kubectlAgainst(h(), ["create", "-f", "-"], manifest);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('namespaces "shop" already exists');
  });

  it("gets tables and objects", async () => {
    const table = await kubectlAgainst(h(), ["get", "deployments,configmaps", "-n", "shop"]);
    expect(table.stdout).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment.apps\/web\s+0\/2/);
    expect(table.stdout).toMatch(/configmap\/settings\s+1\s+\d+s/);
    const json = await kubectlAgainst(h(), ["get", "service", "web", "-n", "shop", "-o", "json"]);
    expect(JSON.parse(json.stdout).spec.clusterIP).toMatch(/^10\.0\./);
    const all = await kubectlAgainst(h(), ["get", "configmaps", "-A", "-o", "name"]);
    expect(all.stdout).toContain("configmap/settings");
  });

  it("applies client-side: unchanged, then configured with a new generation", async () => {
    const first = await kubectlAgainst(h(), ["apply", "-f", "-"], manifest);
    expect(first.code).toBe(0);
    const unchanged = await kubectlAgainst(h(), ["apply", "-f", "-"], manifest);
    expect(unchanged.stdout).toContain("deployment.apps/web unchanged");
    const changed = await kubectlAgainst(
      h(),
      ["apply", "-f", "-"],
      manifest.replace("nginx:1.27", "nginx:1.28"),
    );
    expect(changed.stdout).toContain("deployment.apps/web configured");
    expect(changed.stderr).toBe("");
    const gen = await kubectlAgainst(h(), [
      "get",
      "deploy",
      "web",
      "-n",
      "shop",
      "-o",
      "jsonpath={.metadata.generation} {.spec.template.spec.containers[0].image}",
    ]);
    expect(gen.stdout).toBe("2 nginx:1.28");
  });

  it("applies server-side and reports conflicts with another manager", async () => {
    // The client-side apply before set the image to 1.28: taking it back is a conflict unless forced.
    const refused = await kubectlAgainst(
      h(),
      ["apply", "--server-side", "--field-manager=ops", "-f", "-"],
      manifest,
    );
    expect(refused.stderr).toContain('conflict with "kubectl-client-side-apply"');
    const applied = await kubectlAgainst(
      h(),
      ["apply", "--server-side", "--force-conflicts", "--field-manager=ops", "-f", "-"],
      manifest,
    );
    expect(applied.stdout).toContain("deployment.apps/web serverside-applied");
    const conflict = await kubectlAgainst(
      h(),
      ["apply", "--server-side", "--field-manager=other", "-f", "-"],
      manifest.replace("color: blue", "color: red"),
    );
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain("conflict");
  });

  it("watches with get -w and deletes, waiting for the deletion", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubectl-watch-"));
    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, h().kubeconfig);
    const child = spawn(
      "kubectl",
      ["--kubeconfig", kubeconfigPath, "get", "configmaps", "-n", "shop", "-w", "--output-watch-events"],
      {
        env: { PATH: process.env.PATH ?? "", HOME: dir },
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      await eventually(() => (out.includes("settings") ? true : undefined), "initial listing", 10_000);
      const deleted = await kubectlAgainst(h(), ["delete", "configmap", "settings", "-n", "shop"]);
      expect(deleted.stdout.trim()).toBe('configmap "settings" deleted');
      await eventually(() => (/DELETED\s+settings/.test(out) ? true : undefined), "DELETED event", 10_000);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
    const after = await kubectlAgainst(h(), ["get", "configmap", "settings", "-n", "shop"]);
    expect(after.stderr).toContain('configmaps "settings" not found');
  });

  it("creates a CRD and, once established, its custom resources", async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: backups, singular: backup, kind: Backup}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Phase, type: string, jsonPath: .status.phase}
`;
    expect((await kubectlAgainst(h(), ["create", "-f", "-"], crd)).code).toBe(0);
    establishCrd(h(), "backups.example.com");
    const cr =
      "apiVersion: example.com/v1\nkind: Backup\nmetadata:\n  name: nightly\n  namespace: shop\nspec:\n  schedule: daily\n";
    const applied = await kubectlAgainst(h(), ["apply", "-f", "-"], cr);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("backup.example.com/nightly created");
    const changed = await kubectlAgainst(h(), ["apply", "-f", "-"], cr.replace("daily", "hourly"));
    expect(changed.stdout).toContain("backup.example.com/nightly configured");
    const table = await kubectlAgainst(h(), ["get", "backups", "-n", "shop"]);
    expect(table.stdout).toMatch(/^NAME\s+PHASE\nnightly/);
    const deleted = await kubectlAgainst(h(), ["delete", "--wait=false", "-f", "-"], crd);
    expect(deleted.code).toBe(0);
    // Terminating: its objects can still be read, new ones are refused.
    expect((await kubectlAgainst(h(), ["get", "backups", "-n", "shop"])).stdout).toContain("nightly");
    const refused = await kubectlAgainst(h(), ["create", "-f", "-"], cr.replace("nightly", "weekly"));
    expect(refused.stderr).toContain("create not allowed while custom resource definition is terminating");
    finalizeCrd(h(), "backups.example.com");
    const gone = await kubectlAgainst(h(), ["get", "backups", "-n", "shop"]);
    expect(gone.stderr).toContain('the server doesn\'t have a resource type "backups"');
  });
});
