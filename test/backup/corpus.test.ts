// Every object of the real-world corpus, created in a simulated cluster, is in a backup of it
// exactly as the API server returns it — the raw JSON, unknown fields and all.
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { readArchive } from "../../src/archive/reader.js";
import { SYSTEM_NAMESPACES } from "../../src/backup/namespaces.js";
import { runBackup } from "../../src/backup/run.js";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { Catalog } from "../../src/store/catalog.js";
import {
  ALTERNATIVE_CRD,
  INVALID_MANIFEST,
  isCrd,
  loadManifests,
  namespaceForFile,
} from "../helpers/manifests.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const corpus = loadManifests().filter((m) => m.path !== INVALID_MANIFEST && m.path !== ALTERNATIVE_CRD);

describe("a backup of the real-world corpus", () => {
  const sim = useSimulator();
  let cluster: Cluster;
  let manifest: RecoveryPointManifest;
  const archived = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    await kubectl(sim(), ["create", "namespace", "monitoring"]);
    for (const file of [...corpus].sort(
      (a, b) => Number(!a.documents.some(isCrd)) - Number(!b.documents.some(isCrd)),
    )) {
      const ns = namespaceForFile(file.path);
      await kubectl(sim(), ["create", "namespace", ns]);
      const created = await kubectl(sim(), ["create", "-f", "-"], file.text, { namespace: ns });
      expect(created.code, `${file.path}: ${created.stderr}`).toBe(0);
      for (const crd of file.documents.filter(isCrd)) {
        await kubectl(sim(), ["wait", "--for=condition=Established", `crd/${crd.metadata?.name}`]);
      }
    }
    await sim().controllers.idle();
    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig });
    const catalog = new Catalog(
      BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(
        `corpus-${Date.now()}`,
      ),
    );
    const instance = backupInstanceSchema.parse({
      name: "corpus",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["*"],
      snapshotVolumes: false,
    });
    manifest = await runBackup({ instance, trigger: "OnDemand" }, { cluster, catalog });
    const download = await catalog.container.getBlobClient(manifest.archive?.blob ?? "").download();
    for await (const entry of readArchive(
      download.readableStreamBody as NodeJS.ReadableStream & AsyncIterable<Uint8Array>,
      {
        expectedSha256: manifest.archive?.sha256 ?? "",
      },
    )) {
      archived.set(`${entry.group}/${entry.resource}/${entry.namespace ?? ""}/${entry.name}`, entry.object);
    }
  });

  it("succeeds without warnings or errors", () => {
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.errors).toEqual([]);
    expect(manifest.warnings).toEqual([]);
  });

  it.each(corpus.map((file) => [file.path, file] as const))(
    "holds every object of %s as the server returns it",
    async (_path, file) => {
      for (const document of file.documents) {
        const kind = document.kind?.trim() ?? "";
        const [group, version] = (document.apiVersion ?? "").includes("/")
          ? (document.apiVersion ?? "").split("/")
          : ["", document.apiVersion ?? ""];
        const resource = (
          await cluster.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
            "GET",
            group ? `/apis/${group}/${version}` : `/api/${version}`,
          )
        ).resources.find((r) => r.kind === kind && !r.name.includes("/"));
        expect(resource, `${kind} is served`).toBeDefined();
        const namespace = resource?.namespaced
          ? (document.metadata?.namespace ?? namespaceForFile(file.path))
          : "";
        const path = `${group ? `/apis/${group}/${version}` : `/api/${version}`}${namespace ? `/namespaces/${namespace}` : ""}/${resource?.name}/${document.metadata?.name}`;
        const key = `${group}/${resource?.name}/${namespace}/${document.metadata?.name}`;
        if (SYSTEM_NAMESPACES.includes(namespace)) {
          // kube-system is only backed up when an instance names it.
          expect(archived.has(key), key).toBe(false);
          continue;
        }
        const live = await cluster.request<Record<string, unknown>>("GET", path);
        expect(archived.get(key), key).toEqual(live);
      }
    },
  );
});
