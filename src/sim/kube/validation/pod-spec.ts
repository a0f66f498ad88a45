// PodSpec rules shared by Pods and every pod template (ValidatePodSpec): containers, their ports,
// env, resources and mounts, and volumes.
import {
  type Causes,
  duplicate,
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
} from "./field-errors.js";
import { isDns1123Label, isValidPortName, isValidPortNum, parseQuantity } from "./names.js";
import { type JsonObject, listAt, objectAt, stringAt } from "./object-access.js";

// The members of core/v1 VolumeSource; a volume names at most one.
const volumeSources = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "quobyte",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image",
];

/** `claimNames`: StatefulSet volumeClaimTemplates, which containers may mount like volumes. */
export function validatePodSpec(
  spec: JsonObject | undefined,
  path: string,
  claimNames: string[] = [],
): Causes {
  const pod = spec ?? {};
  const causes: Causes = [];
  const volumeNames = validateVolumes(pod.volumes, `${path}.volumes`, causes);
  for (const name of claimNames) volumeNames.add(name);
  const containers = listAt(pod.containers);
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  const seen = new Set<string>();
  for (const field of ["containers", "initContainers"]) {
    for (const [i, raw] of listAt(pod[field]).entries()) {
      validateContainer(objectAt(raw) ?? {}, `${path}.${field}[${i}]`, volumeNames, seen, causes);
    }
  }
  const restartPolicy = stringAt(pod.restartPolicy);
  if (restartPolicy !== undefined && !["Always", "OnFailure", "Never"].includes(restartPolicy)) {
    causes.push(notSupported(`${path}.restartPolicy`, restartPolicy, ["Always", "OnFailure", "Never"]));
  }
  const dnsPolicy = stringAt(pod.dnsPolicy);
  const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
  if (dnsPolicy !== undefined && !dnsPolicies.includes(dnsPolicy)) {
    causes.push(notSupported(`${path}.dnsPolicy`, dnsPolicy, dnsPolicies));
  }
  return causes;
}

function validateVolumes(volumes: unknown, path: string, causes: Causes): Set<string> {
  const names = new Set<string>();
  for (const [i, raw] of listAt(volumes).entries()) {
    const volume = objectAt(raw) ?? {};
    const name = stringAt(volume.name) ?? "";
    if (name === "") causes.push(required(`${path}[${i}].name`));
    else
      for (const message of isDns1123Label(name)) causes.push(invalid(`${path}[${i}].name`, name, message));
    if (name !== "" && names.has(name)) causes.push(duplicate(`${path}[${i}].name`, name));
    names.add(name);
    // A volume naming no source is defaulted to emptyDir by the server; only extra sources are wrong.
    const sources = volumeSources.filter((source) => volume[source] !== undefined && volume[source] !== null);
    for (const extra of sources.slice(1)) {
      causes.push(forbidden(`${path}[${i}].${extra}`, "may not specify more than 1 volume type"));
    }
  }
  return names;
}

function validateContainer(
  container: JsonObject,
  path: string,
  volumeNames: Set<string>,
  seen: Set<string>,
  causes: Causes,
): void {
  const name = stringAt(container.name) ?? "";
  if (name === "") causes.push(required(`${path}.name`));
  else for (const message of isDns1123Label(name)) causes.push(invalid(`${path}.name`, name, message));
  if (name !== "" && seen.has(name)) causes.push(duplicate(`${path}.name`, name));
  seen.add(name);
  if (!stringAt(container.image)) causes.push(required(`${path}.image`));
  const pullPolicy = stringAt(container.imagePullPolicy);
  if (pullPolicy !== undefined && !["Always", "IfNotPresent", "Never"].includes(pullPolicy)) {
    causes.push(notSupported(`${path}.imagePullPolicy`, pullPolicy, ["Always", "IfNotPresent", "Never"]));
  }
  validateContainerPorts(container.ports, `${path}.ports`, causes);
  for (const [i, raw] of listAt(container.env).entries()) {
    if (!stringAt(objectAt(raw)?.name)) causes.push(required(`${path}.env[${i}].name`));
  }
  validateResources(objectAt(container.resources), `${path}.resources`, causes);
  const mountPaths = new Set<string>();
  for (const [i, raw] of listAt(container.volumeMounts).entries()) {
    const mount = objectAt(raw) ?? {};
    const mountName = stringAt(mount.name) ?? "";
    const mountPath = stringAt(mount.mountPath) ?? "";
    if (mountName === "") causes.push(required(`${path}.volumeMounts[${i}].name`));
    else if (!volumeNames.has(mountName)) causes.push(notFound(`${path}.volumeMounts[${i}].name`, mountName));
    if (mountPath === "") causes.push(required(`${path}.volumeMounts[${i}].mountPath`));
    else if (mountPaths.has(mountPath)) {
      causes.push(invalid(`${path}.volumeMounts[${i}].mountPath`, mountPath, "must be unique"));
    }
    mountPaths.add(mountPath);
  }
}

function validateContainerPorts(ports: unknown, path: string, causes: Causes): void {
  const names = new Set<string>();
  for (const [i, raw] of listAt(ports).entries()) {
    const port = objectAt(raw) ?? {};
    const at = `${path}[${i}]`;
    const name = stringAt(port.name);
    if (name !== undefined && name !== "") {
      for (const message of isValidPortName(name)) causes.push(invalid(`${at}.name`, name, message));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    if (port.containerPort === undefined) causes.push(required(`${at}.containerPort`));
    else
      for (const message of isValidPortNum(port.containerPort))
        causes.push(invalid(`${at}.containerPort`, port.containerPort, message));
    if (port.hostPort !== undefined && port.hostPort !== 0) {
      for (const message of isValidPortNum(port.hostPort))
        causes.push(invalid(`${at}.hostPort`, port.hostPort, message));
    }
    validateProtocol(port.protocol, `${at}.protocol`, causes);
  }
}

export function validateProtocol(protocol: unknown, path: string, causes: Causes): void {
  if (protocol !== undefined && !["SCTP", "TCP", "UDP"].includes(String(protocol))) {
    causes.push(notSupported(path, protocol, ["SCTP", "TCP", "UDP"]));
  }
}

/** Quantities of a resource list; returns the parsed values by resource name. */
export function validateResourceList(list: unknown, path: string, causes: Causes): Map<string, number> {
  const values = new Map<string, number>();
  for (const [resource, quantity] of Object.entries(objectAt(list) ?? {})) {
    const at = `${path}[${resource}]`;
    const parsed = parseQuantity(quantity);
    if ("error" in parsed) {
      causes.push(invalid(at, quantity, parsed.error));
      continue;
    }
    if (parsed.value < 0) causes.push(invalid(at, String(quantity), "must be greater than or equal to 0"));
    values.set(resource, parsed.value);
  }
  return values;
}

function validateResources(resources: JsonObject | undefined, path: string, causes: Causes): void {
  if (!resources) return;
  const limits = validateResourceList(resources.limits, `${path}.limits`, causes);
  const requests = validateResourceList(resources.requests, `${path}.requests`, causes);
  const limitText = objectAt(resources.limits) ?? {};
  const requestText = objectAt(resources.requests) ?? {};
  for (const [resource, request] of requests) {
    const limit = limits.get(resource);
    if (limit !== undefined && request > limit) {
      causes.push(
        invalid(
          `${path}.requests[${resource}]`,
          String(requestText[resource]),
          `must be less than or equal to ${resource} limit of ${String(limitText[resource])}`,
        ),
      );
    }
  }
}
