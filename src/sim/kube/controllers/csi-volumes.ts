// The PersistentVolumes the Azure CSI drivers create, shaped as on AKS (handle, attributes, zone
// affinity, policy), and the storage account Secret that Azure Files volumes mount with.
import { randomBytes, randomInt } from "node:crypto";
import type { ProvisionedDisk } from "../../contracts.js";
import type { KubeObject } from "../types.js";
import type { StorageClass } from "./storage-classes.js";

export const diskDriver = "disk.csi.azure.com";
export const fileDriver = "file.csi.azure.com";
export const zoneLabel = "topology.disk.csi.azure.com/zone";
export const provisionerFinalizer = "external-provisioner.volume.kubernetes.io/finalizer";

/** `<start ms>-<random>-<driver>`: how external-provisioner identifies itself on the volumes it makes. */
export function provisionerIdentity(driver: string): string {
  return `${Date.now()}-${randomInt(10_000)}-${driver}`;
}

/** A class parameter by name, case-insensitively as the Azure drivers read them. */
export function parameter(storageClass: StorageClass, ...names: string[]): string | undefined {
  const wanted = names.map((n) => n.toLowerCase());
  for (const [k, v] of Object.entries(storageClass.parameters ?? {})) {
    if (wanted.includes(k.toLowerCase())) return v;
  }
  return undefined;
}

function baseVolume(
  pvc: KubeObject,
  storageClass: StorageClass,
  driver: string,
  sizeGiB: number,
): KubeObject {
  const meta = pvc.metadata ?? {};
  const spec = (pvc.spec ?? {}) as { accessModes?: string[]; volumeMode?: string };
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: `pvc-${meta.uid}`,
      annotations: {
        "pv.kubernetes.io/provisioned-by": driver,
        "volume.kubernetes.io/provisioner-deletion-secret-name": "",
        "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
      },
      finalizers: [provisionerFinalizer, "kubernetes.io/pv-protection"],
    },
    spec: {
      accessModes: spec.accessModes ?? ["ReadWriteOnce"],
      capacity: { storage: `${sizeGiB}Gi` },
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        name: meta.name,
        namespace: meta.namespace,
        resourceVersion: meta.resourceVersion,
        uid: meta.uid,
      },
      ...(storageClass.mountOptions?.length ? { mountOptions: [...storageClass.mountOptions] } : {}),
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete",
      storageClassName: storageClass.metadata?.name,
      volumeMode: spec.volumeMode ?? "Filesystem",
    },
  };
}

function attributes(pvc: KubeObject, identity: string): Record<string, string> {
  return {
    "csi.storage.k8s.io/pv/name": `pvc-${pvc.metadata?.uid}`,
    "csi.storage.k8s.io/pvc/name": pvc.metadata?.name ?? "",
    "csi.storage.k8s.io/pvc/namespace": pvc.metadata?.namespace ?? "",
    "storage.kubernetes.io/csiProvisionerIdentity": identity,
  };
}

export interface DiskVolumeInput {
  pvc: KubeObject;
  storageClass: StorageClass;
  disk: ProvisionedDisk;
  sizeGiB: number;
  skuName: string;
  /** Zone label value to pin to when the disk reports no zone (regional disk): "" on AKS. */
  fallbackZone: string;
  identity: string;
}

export function diskVolume(input: DiskVolumeInput): KubeObject {
  const { pvc, storageClass, disk, sizeGiB } = input;
  const pv = baseVolume(pvc, storageClass, diskDriver, sizeGiB);
  const zone = disk.zone ? `${disk.location}-${disk.zone}` : input.fallbackZone;
  pv.spec = {
    ...(pv.spec as object),
    csi: {
      driver: diskDriver,
      fsType: parameter(storageClass, "fsType", "csi.storage.k8s.io/fstype") ?? "ext4",
      volumeAttributes: {
        ...attributes(pvc, input.identity),
        requestedsizegib: String(sizeGiB),
        skuname: input.skuName,
      },
      volumeHandle: disk.id,
    },
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: zoneLabel, operator: "In", values: [zone] }] }],
      },
    },
  };
  return pv;
}

export interface FileVolumeInput {
  pvc: KubeObject;
  storageClass: StorageClass;
  sizeGiB: number;
  resourceGroup: string;
  account: string;
  identity: string;
}

export function storageAccountSecretName(account: string): string {
  return `azure-storage-account-${account}-secret`;
}

export function fileVolume(input: FileVolumeInput): KubeObject {
  const { pvc, storageClass, account } = input;
  const namespace = pvc.metadata?.namespace ?? "default";
  const pv = baseVolume(pvc, storageClass, fileDriver, input.sizeGiB);
  pv.spec = {
    ...(pv.spec as object),
    csi: {
      driver: fileDriver,
      nodeStageSecretRef: { name: storageAccountSecretName(account), namespace },
      volumeAttributes: {
        ...attributes(pvc, input.identity),
        secretnamespace: namespace,
        skuName: parameter(storageClass, "skuName") ?? "Standard_LRS",
      },
      volumeHandle: `${input.resourceGroup}#${account}#${pv.metadata?.name}###${namespace}`,
    },
  };
  return pv;
}

/** The Secret the Azure Files driver writes next to the claim so nodes can mount the share. */
export function storageAccountSecret(account: string, namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: storageAccountSecretName(account), namespace },
    type: "Opaque",
    data: {
      azurestorageaccountname: Buffer.from(account).toString("base64"),
      azurestorageaccountkey: Buffer.from(randomBytes(64).toString("base64")).toString("base64"),
    },
  };
}
