// Mimics the external-provisioner sidecars of AKS's Azure Disk and Azure Files CSI drivers: claims get
// a disk in the selected node's zone (or a share) and a PV; Released Delete-policy PVs lose both.
import { createHash } from "node:crypto";
import type { ProvisionedDisk } from "../../contracts.js";
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import {
  diskDriver,
  diskVolume,
  fileDriver,
  fileVolume,
  parameter,
  provisionerFinalizer,
  provisionerIdentity,
  storageAccountSecret,
  zoneLabel,
} from "./csi-volumes.js";
import { eventRecorder } from "./events.js";
import { provisionerAnnotations } from "./pv-binder.js";
import { ceilGiB } from "./quantity.js";
import { selectedNodeAnnotation } from "./scheduler.js";
import { type StorageClass, storageClassOf } from "./storage-classes.js";
import { createIfAbsent, deleteIfPresent } from "./store-errors.js";

const ours = new Set([diskDriver, fileDriver]);
const provisionerAnnotation = provisionerAnnotations[1] ?? "";

function requestedGiB(pvc: KubeObject): number {
  return ceilGiB(
    (pvc.spec as { resources?: { requests?: { storage?: string } } }).resources?.requests?.storage,
  );
}

export const csiProvisioner: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache, options } = context;
  const pvcs = typeKey(types.pvcs);
  const pvs = typeKey(types.pvs);
  const nodes = typeKey(types.nodes);
  for (const t of [pvcs, pvs, nodes, typeKey(types.storageClasses)]) cache.track(t);
  const events = eventRecorder(store, types, "csi-provisioner", context.now);
  const identities = { disk: provisionerIdentity(diskDriver), file: provisionerIdentity(fileDriver) };
  const fileAccount = `f${createHash("sha256").update(options.nodeResourceGroup).digest("hex").slice(0, 22)}`;

  /** The zone label value ("westeurope-2") the volume must live in; "" for a zoneless cluster. */
  function zoneFor(pvc: KubeObject): string | undefined {
    const selected = pvc.metadata?.annotations?.[selectedNodeAnnotation];
    if (selected) return cache.get(nodes, undefined, selected)?.metadata?.labels?.[zoneLabel];
    // Immediate binding: the driver picks one of the zones the nodes offer.
    const zones = [
      ...new Set([...cache.list(nodes)].map((n) => n.metadata?.labels?.[zoneLabel] ?? "")),
    ].sort();
    if (zones.length === 0) return "";
    const hash = createHash("sha256")
      .update(pvc.metadata?.uid ?? "")
      .digest();
    return zones[hash.readUInt32BE(0) % zones.length];
  }

  async function provisionDisk(pvc: KubeObject, storageClass: StorageClass): Promise<KubeObject | undefined> {
    const provisioner = options.provisioner;
    const failed = (why: string) =>
      events.record(
        pvc,
        "Warning",
        "ProvisioningFailed",
        `failed to provision volume with StorageClass "${storageClass.metadata?.name}": ${why}`,
      );
    if (!provisioner) {
      failed("no Azure disk provisioner is configured for this simulated cluster");
      return undefined;
    }
    const zoneValue = zoneFor(pvc);
    if (zoneValue === undefined) {
      failed(`node "${pvc.metadata?.annotations?.[selectedNodeAnnotation]}" not found`);
      return undefined;
    }
    const zone = zoneValue.slice(zoneValue.lastIndexOf("-") + 1);
    const sizeGiB = requestedGiB(pvc);
    const skuName = parameter(storageClass, "skuName", "storageAccountType") ?? "StandardSSD_LRS";
    const pvName = `pvc-${pvc.metadata?.uid}`;
    const claim = `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
    events.record(
      pvc,
      "Normal",
      "Provisioning",
      `External provisioner is provisioning volume for claim "${claim}"`,
    );
    let disk: ProvisionedDisk;
    try {
      disk = await provisioner.createDisk({
        name: pvName,
        sizeGiB,
        skuName,
        ...(/^\d+$/.test(zone) ? { zone } : {}),
        tags: {
          "k8s-azure-created-by": "kubernetes-azure-dd",
          "kubernetes.io-created-for-pv-name": pvName,
          "kubernetes.io-created-for-pvc-name": pvc.metadata?.name ?? "",
          "kubernetes.io-created-for-pvc-namespace": pvc.metadata?.namespace ?? "",
        },
      });
    } catch (error) {
      failed(error instanceof Error ? error.message : String(error));
      throw error;
    }
    return diskVolume({
      pvc,
      storageClass,
      disk,
      sizeGiB,
      skuName,
      fallbackZone: zoneValue,
      identity: identities.disk,
    });
  }

  function provisionShare(pvc: KubeObject, storageClass: StorageClass): KubeObject {
    const namespace = pvc.metadata?.namespace ?? "default";
    createIfAbsent(() => store.create(types.secrets, storageAccountSecret(fileAccount, namespace)));
    return fileVolume({
      pvc,
      storageClass,
      sizeGiB: requestedGiB(pvc),
      resourceGroup: options.nodeResourceGroup,
      account: fileAccount,
      identity: identities.file,
    });
  }

  const claims = context.queue(
    "csi-provisioner-claims",
    async (key) => {
      const { namespace, name } = splitKey(key);
      const pvc = cache.get(pvcs, namespace, name);
      if (!pvc || pvc.metadata?.deletionTimestamp || (pvc.spec as { volumeName?: string }).volumeName) return;
      const driver = pvc.metadata?.annotations?.[provisionerAnnotation] ?? "";
      if (!ours.has(driver) || cache.get(pvs, undefined, `pvc-${pvc.metadata?.uid}`)) return;
      const storageClass = storageClassOf(cache, types, pvc);
      if (!storageClass || storageClass.provisioner !== driver) return;
      const pv =
        driver === diskDriver ? await provisionDisk(pvc, storageClass) : provisionShare(pvc, storageClass);
      if (!pv || context.stopped()) return;
      const current = store.get(types.pvcs, namespace, name);
      if (current?.metadata?.uid !== pvc.metadata?.uid) {
        // The claim went while the disk was being made: do not leak the disk.
        const handle = (pv.spec as { csi?: { volumeHandle?: string } }).csi?.volumeHandle ?? "";
        if (driver === diskDriver) await options.provisioner?.deleteDisk(handle);
        return;
      }
      createIfAbsent(() => store.create(types.pvs, pv));
      events.record(
        pvc,
        "Normal",
        "ProvisioningSucceeded",
        `Successfully provisioned volume ${pv.metadata?.name}`,
      );
    },
    8,
  );

  function removeFinalizer(name: string): void {
    const fresh = store.get(types.pvs, undefined, name);
    if (!fresh?.metadata?.finalizers?.includes(provisionerFinalizer)) return;
    fresh.metadata.finalizers = fresh.metadata.finalizers.filter((f) => f !== provisionerFinalizer);
    store.update(types.pvs, fresh);
  }

  const volumes = context.queue(
    "csi-provisioner-volumes",
    async (name) => {
      const pv = cache.get(pvs, undefined, name);
      const driver = pv?.metadata?.annotations?.["pv.kubernetes.io/provisioned-by"] ?? "";
      if (!pv || !ours.has(driver)) return;
      const spec = (pv.spec ?? {}) as {
        persistentVolumeReclaimPolicy?: string;
        csi?: { volumeHandle?: string };
      };
      const phase = (pv.status as { phase?: string } | undefined)?.phase;
      const deleting = Boolean(pv.metadata?.deletionTimestamp);
      const hasFinalizer = pv.metadata?.finalizers?.includes(provisionerFinalizer) ?? false;
      if (spec.persistentVolumeReclaimPolicy !== "Delete") {
        if (deleting && hasFinalizer) removeFinalizer(name);
        return;
      }
      if (phase !== "Released" && !(deleting && phase !== "Bound")) return;
      if (driver === diskDriver && hasFinalizer) {
        if (!options.provisioner) {
          events.record(
            pv,
            "Warning",
            "VolumeFailedDelete",
            "no Azure disk provisioner is configured for this simulated cluster",
          );
          return;
        }
        await options.provisioner.deleteDisk(spec.csi?.volumeHandle ?? "");
        if (context.stopped()) return;
      }
      if (hasFinalizer) removeFinalizer(name);
      if (!deleting) deleteIfPresent(() => store.delete(types.pvs, undefined, name));
    },
    8,
  );

  return {
    name: "csi-provisioner",
    watches: [pvcs, pvs],
    observe(event: StoreEvent) {
      if (event.type === "DELETED") return;
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "persistentvolumeclaims") {
        if (ours.has(meta.annotations?.[provisionerAnnotation] ?? "")) {
          claims.add(objectKey(meta.namespace, meta.name ?? ""));
        }
      } else if (ours.has(meta.annotations?.["pv.kubernetes.io/provisioned-by"] ?? "")) {
        volumes.add(meta.name ?? "");
      }
    },
  };
};
