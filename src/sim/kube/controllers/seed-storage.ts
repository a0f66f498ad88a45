// The storage objects AKS installs: the built-in StorageClasses of the Azure Disk and Azure Files
// CSI drivers (with `default` as the default class) and the two CSIDriver objects.
import type { KubeObject } from "../types.js";

const addonLabels = {
  "addonmanager.kubernetes.io/mode": "EnsureExists",
  "kubernetes.io/cluster-service": "true",
};
const fileMountOptions = ["mfsymlinks", "actimeo=30", "nosharesock"];

function storageClass(
  name: string,
  provisioner: string,
  parameters: Record<string, string>,
  extra: Partial<KubeObject> = {},
  isDefault = false,
): KubeObject {
  const disk = provisioner === "disk.csi.azure.com";
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name,
      labels: { ...addonLabels },
      ...(isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}),
    },
    provisioner,
    parameters,
    reclaimPolicy: "Delete",
    volumeBindingMode: disk ? "WaitForFirstConsumer" : "Immediate",
    allowVolumeExpansion: true,
    ...extra,
  };
}

/** The classes `kubectl get storageclass` lists on a new AKS cluster (blob classes need an add-on). */
export function seedStorageClasses(): KubeObject[] {
  return [
    storageClass("default", "disk.csi.azure.com", { skuname: "StandardSSD_LRS" }, {}, true),
    storageClass("managed-csi", "disk.csi.azure.com", { skuname: "StandardSSD_LRS" }),
    storageClass("managed-csi-premium", "disk.csi.azure.com", { skuname: "Premium_LRS" }),
    // The pre-CSI names, kept by AKS as aliases served by the CSI driver.
    storageClass("managed", "disk.csi.azure.com", {
      cachingmode: "ReadOnly",
      kind: "Managed",
      storageaccounttype: "StandardSSD_LRS",
    }),
    storageClass("managed-premium", "disk.csi.azure.com", {
      cachingmode: "ReadOnly",
      kind: "Managed",
      storageaccounttype: "Premium_LRS",
    }),
    storageClass(
      "azurefile-csi",
      "file.csi.azure.com",
      { skuName: "Standard_LRS" },
      { mountOptions: fileMountOptions },
    ),
    storageClass(
      "azurefile-csi-premium",
      "file.csi.azure.com",
      { skuName: "Premium_LRS" },
      { mountOptions: fileMountOptions },
    ),
    storageClass(
      "azurefile",
      "file.csi.azure.com",
      { skuName: "Standard_LRS" },
      { mountOptions: fileMountOptions },
    ),
    storageClass(
      "azurefile-premium",
      "file.csi.azure.com",
      { skuName: "Premium_LRS" },
      { mountOptions: fileMountOptions },
    ),
  ];
}

export function seedCsiDrivers(): KubeObject[] {
  const labels = { "addonmanager.kubernetes.io/mode": "Reconcile", "kubernetes.io/cluster-service": "true" };
  return [
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "CSIDriver",
      metadata: {
        name: "disk.csi.azure.com",
        labels,
        annotations: { csiDriver: "v1.30.5", snapshot: "v6.3.3" },
      },
      spec: {
        attachRequired: true,
        fsGroupPolicy: "File",
        podInfoOnMount: false,
        requiresRepublish: false,
        seLinuxMount: false,
        storageCapacity: false,
        volumeLifecycleModes: ["Persistent"],
      },
    },
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "CSIDriver",
      metadata: {
        name: "file.csi.azure.com",
        labels,
        annotations: { csiDriver: "v1.30.6", snapshot: "v6.3.3" },
      },
      spec: {
        attachRequired: false,
        fsGroupPolicy: "ReadWriteOnceWithFSType",
        podInfoOnMount: true,
        requiresRepublish: false,
        seLinuxMount: false,
        storageCapacity: false,
        tokenRequests: [{ audience: "api://AzureADTokenExchange" }],
        volumeLifecycleModes: ["Persistent", "Ephemeral"],
      },
    },
  ];
}
