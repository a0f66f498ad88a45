// The demo's protection: one hourly policy and one instance over the sample namespaces, added to the
// aks-backup.yaml the simulator writes, under a header that says it is a demo and how to leave it.
import { isMap, parseDocument } from "yaml";
import type { BackupInstanceInput } from "../../model/backup-instance.js";
import type { PolicyInput } from "../../model/policy.js";

export const DEMO_POLICY = "demo-hourly";
export const DEMO_INSTANCE = "demo-apps";

export interface DemoProtection {
  policy: PolicyInput;
  instance: BackupInstanceInput;
}

/** Hourly from midnight UTC of `now`'s day; kept a day, the first of each day a week. */
export function demoProtection(options: {
  now: Date;
  clusterName: string;
  namespaces: string[];
  snapshotResourceGroup: string;
}): DemoProtection {
  const day = options.now.toISOString().slice(0, 10);
  return {
    policy: {
      name: DEMO_POLICY,
      schedule: [`R/${day}T00:00:00+00:00/PT1H`],
      retention: { default: "P1D", rules: [{ criteria: "FirstOfDay", duration: "P7D" }] },
    },
    instance: {
      name: DEMO_INSTANCE,
      cluster: options.clusterName,
      policy: DEMO_POLICY,
      snapshotResourceGroup: options.snapshotResourceGroup,
      includedNamespaces: options.namespaces,
      snapshotVolumes: true,
    },
  };
}

const header = [
  " aks-backup DEMO configuration, written by `npm start` (`aks-backup serve` with no aks-backup.yaml).",
  " It points at a simulated AKS cluster and local storage that live only while the demo runs; the",
  " next demo start clears this directory and writes it again. To use aks-backup for real, write your",
  " own aks-backup.yaml (docs/configuration.md); for a simulator that keeps your edits, run",
  " `aks-backup sim --dir .sim`. See docs/demo.md.",
].join("\n");

const storageComment = [
  " Azurite, the Azure Storage emulator, started by demo mode with its data in storage/ next to this",
  " file. The key is Azurite's documented development key, not a secret.",
].join("\n");

/** The simulator's config text with the demo header, policy and instance. */
export function renderDemoConfig(simConfig: string, protection: DemoProtection): string {
  const doc = parseDocument(simConfig);
  if (!isMap(doc.contents)) throw new Error("the simulator wrote a config that is not a YAML mapping");
  doc.commentBefore = header;
  const storage = doc.get("storage", true);
  if (isMap(storage)) storage.commentBefore = storageComment;
  doc.set("policies", doc.createNode([protection.policy]));
  doc.set("instances", doc.createNode([protection.instance]));
  return doc.toString();
}
