// Every real-world manifest of the corpus, created through @kubernetes/client-node and through the
// real kubectl, reads back as written apart from what the server sets; the invalid one is refused.
import { ApiException, dumpYaml, KubernetesObjectApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../src/sim/kube/types.js";
import { acceptedManifests, createManifestFile } from "../helpers/corpus.js";
import {
  ALTERNATIVE_CRD,
  differences,
  expectedStoredForm,
  INVALID_MANIFEST,
  isCrd,
  loadManifests,
  type ManifestFile,
  namespaceForFile,
} from "../helpers/manifests.js";
import { kubeConfigFor, kubectl, useSimulator } from "../helpers/sim.js";

const manifests = loadManifests();
const positive = acceptedManifests(manifests);

describe("real-world manifests through @kubernetes/client-node", () => {
  const sim = useSimulator();

  /** Loads the file the way client-node documents (typed models), fills namespaces, creates each. */
  const createAll = (client: KubernetesObjectApi, file: ManifestFile) => createManifestFile(client, file);

  it.each(positive.map((file) => [file.path, file] as const))(
    "creates and reads back %s",
    async (_path, file) => {
      const client = KubernetesObjectApi.makeApiClient(kubeConfigFor(sim()));
      await client
        .create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } })
        .catch(() => undefined);
      for (const object of await createAll(client, file)) {
        // Back to the wire form through client-node's own serializer, as a user of it would.
        const stored = await client.read(object as Parameters<KubernetesObjectApi["read"]>[0]);
        const raw = parse(dumpYaml(stored)) as KubeObject;
        expect(
          differences(expectedStoredForm(object), raw),
          `${object.kind} ${object.metadata?.name}`,
        ).toEqual([]);
        expect(raw.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
        expect(Number(raw.metadata?.resourceVersion)).toBeGreaterThan(0);
      }
    },
  );

  it("refuses the DaemonSet without spec.selector with 422 Invalid", async () => {
    const client = KubernetesObjectApi.makeApiClient(kubeConfigFor(sim()));
    const file = manifests.find((m) => m.path === INVALID_MANIFEST);
    const daemonSet = structuredClone(file?.documents[0]) as KubeObject;
    daemonSet.metadata = { ...daemonSet.metadata, namespace: "default" };
    const error = await client.create(daemonSet as Parameters<KubernetesObjectApi["create"]>[0]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiException);
    const apiError = error as ApiException<string>;
    expect(apiError.code).toBe(422);
    const status = JSON.parse(apiError.body) as { reason: string; details: { causes: { field: string }[] } };
    expect(status.reason).toBe("Invalid");
    expect(status.details.causes.map((c) => c.field)).toContain("spec.selector");
  });
});

describe("real-world manifests through kubectl", () => {
  const sim = useSimulator();

  it("creates every manifest with `kubectl create -f` and reads each back with `kubectl get -o json`", async () => {
    expect((await kubectl(sim(), ["create", "namespace", "monitoring"])).code).toBe(0);
    for (const file of positive) {
      const ns = namespaceForFile(file.path);
      await kubectl(sim(), ["create", "namespace", ns]);
      // The context's namespace, not -n: files that name other namespaces too are accepted that way.
      const created = await kubectl(sim(), ["create", "-f", "-", "-o", "json"], file.text, { namespace: ns });
      expect(created.stderr, file.path).toBe("");
      expect(created.code, file.path).toBe(0);
      if (file.documents.some(isCrd)) {
        for (const crd of file.documents.filter(isCrd)) {
          const waited = await kubectl(sim(), [
            "wait",
            "--for=condition=Established",
            `crd/${crd.metadata?.name}`,
          ]);
          expect(waited.code, waited.stderr).toBe(0);
        }
      }
      for (const document of file.documents) {
        const got = await kubectl(sim(), [
          "get",
          "-n",
          document.metadata?.namespace ?? ns,
          `${document.kind?.trim()}.${(document.apiVersion ?? "").split("/").reverse().slice(1).join("")}`.replace(
            /\.$/,
            "",
          ),
          document.metadata?.name ?? "",
          "-o",
          "json",
        ]);
        expect(got.code, `${file.path}: ${got.stderr}`).toBe(0);
        const stored = JSON.parse(got.stdout) as KubeObject;
        expect(differences(expectedStoredForm(document), stored), `${file.path} ${document.kind}`).toEqual(
          [],
        );
      }
    }
    // One kubectl process per document: generous on a loaded 2-core machine; it asserts content, not speed.
  }, 120_000);

  it("refuses the DaemonSet without spec.selector as a real server does", async () => {
    const file = manifests.find((m) => m.path === INVALID_MANIFEST);
    const result = await kubectl(sim(), ["create", "-n", "default", "-f", "-"], file?.text);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The DaemonSet "nginx-daemon" is invalid');
    expect(result.stderr).toContain("spec.selector: Required value");
  });

  it("replaces one CRD definition by its alternative after deletion", async () => {
    const alternative = manifests.find((m) => m.path === ALTERNATIVE_CRD);
    await kubectl(sim(), ["delete", "crd", "foos.samplecontroller.k8s.io", "--ignore-not-found"]);
    const created = await kubectl(sim(), ["create", "-f", "-"], alternative?.text);
    expect(created.code, created.stderr).toBe(0);
    const waited = await kubectl(sim(), [
      "wait",
      "--for=condition=Established",
      "crd/foos.samplecontroller.k8s.io",
    ]);
    expect(waited.code, waited.stderr).toBe(0);
    const got = await kubectl(sim(), ["get", "crd", "foos.samplecontroller.k8s.io", "-o", "json"]);
    const stored = JSON.parse(got.stdout) as KubeObject;
    expect(differences(expectedStoredForm(alternative?.documents[0] ?? {}), stored)).toEqual([]);
  });
});
