// Service cluster IPs and node ports, allocated in the request path as the service registry does:
// from 10.0.0.0/16 (AKS's default service CIDR) and 30000-32767, released when the Service goes.
import type { AdmissionHook, AdmissionRequest } from "./admission.js";
import { invalid } from "./status.js";
import type { KubeObject } from "./types.js";

type Json = Record<string, unknown>;

export interface ServiceAllocatorOptions {
  /** IPv4 CIDR of the service network; default 10.0.0.0/16. */
  serviceCidr?: string;
  nodePortRange?: { min: number; max: number };
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function needsClusterIP(spec: Json): boolean {
  return spec.type !== "ExternalName";
}

function needsNodePorts(spec: Json): boolean {
  return (
    spec.type === "NodePort" || (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false)
  );
}

function ports(spec: Json): Json[] {
  return Array.isArray(spec.ports) ? (spec.ports as Json[]) : [];
}

export class ServiceAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly cidr: string;
  private readonly portMin: number;
  private readonly portMax: number;
  /** Allocated IP (as int) and port -> "<namespace>/<name>" of the owning Service. */
  private readonly ips = new Map<number, string>();
  private readonly nodePorts = new Map<number, string>();

  constructor(options: ServiceAllocatorOptions = {}) {
    this.cidr = options.serviceCidr ?? "10.0.0.0/16";
    const [address, bits] = this.cidr.split("/");
    const prefix = Number(bits ?? 32);
    this.size = 2 ** (32 - prefix);
    this.base = ((ipToInt(address ?? "") ?? 0) >>> 0) - (((ipToInt(address ?? "") ?? 0) >>> 0) % this.size);
    this.portMin = options.nodePortRange?.min ?? 30000;
    this.portMax = options.nodePortRange?.max ?? 32767;
  }

  /** The admission hook to register with the store. */
  readonly hook: AdmissionHook = (request) => {
    if (request.type.group !== "" || request.type.resource !== "services") return undefined;
    if (request.subresource) return undefined;
    if (request.operation === "DELETE") {
      const owner = ownerOf(request.object);
      return { commit: () => this.release(owner, new Set(), new Set()) };
    }
    return this.admit(request);
  };

  private admit(request: AdmissionRequest): ReturnType<AdmissionHook> {
    const object = request.object;
    const owner = ownerOf(object);
    const name = object.metadata?.name ?? "";
    const spec = (object.spec ?? {}) as Json;
    object.spec = spec;
    const oldSpec = (request.old?.spec ?? undefined) as Json | undefined;
    spec.type ??= "ClusterIP";
    spec.sessionAffinity ??= "None";
    for (const p of ports(spec)) {
      p.protocol ??= "TCP";
      p.targetPort ??= p.port;
    }
    if (oldSpec) carryAllocatedValues(spec, oldSpec);

    const wantedIps = new Set<number>();
    if (needsClusterIP(spec)) {
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
      spec.internalTrafficPolicy ??= "Cluster";
      const requested =
        (spec.clusterIP as string | undefined) || (spec.clusterIPs as string[] | undefined)?.[0];
      if (requested === "None") {
        spec.clusterIP = "None";
        spec.clusterIPs = ["None"];
      } else if (requested) {
        const n = ipToInt(requested);
        const ipFailure = (why: string) =>
          invalid("Service", "", name, [
            {
              reason: "FieldValueInvalid",
              message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: ${why}`,
              field: "spec.clusterIPs",
            },
          ]);
        if (n === undefined || n < this.base || n >= this.base + this.size) {
          throw ipFailure(`provided IP is not in the valid range. The range of valid IPs is ${this.cidr}`);
        }
        const holder = this.ips.get(n);
        if (holder !== undefined && holder !== owner) throw ipFailure("provided IP is already allocated");
        wantedIps.add(n);
        spec.clusterIP = requested;
        spec.clusterIPs = [requested];
      } else {
        const n = this.freeIp();
        wantedIps.add(n);
        spec.clusterIP = intToIp(n);
        spec.clusterIPs = [intToIp(n)];
      }
    } else {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }

    const wantedPorts = new Set<number>();
    if (needsNodePorts(spec)) {
      spec.externalTrafficPolicy ??= "Cluster";
      if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
      ports(spec).forEach((p, i) => {
        const requested = typeof p.nodePort === "number" && p.nodePort !== 0 ? p.nodePort : undefined;
        if (requested === undefined) {
          const n = this.freePort(wantedPorts);
          wantedPorts.add(n);
          p.nodePort = n;
          return;
        }
        const portFailure = (why: string) =>
          invalid("Service", "", name, [
            {
              reason: "FieldValueInvalid",
              message: `Invalid value: ${requested}: ${why}`,
              field: `spec.ports[${i}].nodePort`,
            },
          ]);
        if (requested < this.portMin || requested > this.portMax) {
          throw portFailure(
            `provided port is not in the valid range. The range of valid ports is ${this.portMin}-${this.portMax}`,
          );
        }
        const holder = this.nodePorts.get(requested);
        if ((holder !== undefined && holder !== owner) || wantedPorts.has(requested)) {
          throw portFailure("provided port is already allocated");
        }
        wantedPorts.add(requested);
      });
    }
    return {
      commit: () => {
        this.release(owner, wantedIps, wantedPorts);
        for (const ip of wantedIps) this.ips.set(ip, owner);
        for (const port of wantedPorts) this.nodePorts.set(port, owner);
      },
    };
  }

  private release(owner: string, keepIps: Set<number>, keepPorts: Set<number>): void {
    for (const [ip, holder] of this.ips) if (holder === owner && !keepIps.has(ip)) this.ips.delete(ip);
    for (const [port, holder] of this.nodePorts) {
      if (holder === owner && !keepPorts.has(port)) this.nodePorts.delete(port);
    }
  }

  private freeIp(): number {
    const usable = this.size - 2;
    const start = Math.floor(Math.random() * usable);
    for (let i = 0; i < usable; i++) {
      const n = this.base + 1 + ((start + i) % usable);
      if (!this.ips.has(n)) return n;
    }
    throw invalid("Service", "", "", [
      { reason: "FieldValueInvalid", field: "spec.clusterIPs", message: "Internal error: range is full" },
    ]);
  }

  private freePort(taken: Set<number>): number {
    const count = this.portMax - this.portMin + 1;
    const start = Math.floor(Math.random() * count);
    for (let i = 0; i < count; i++) {
      const n = this.portMin + ((start + i) % count);
      if (!this.nodePorts.has(n) && !taken.has(n)) return n;
    }
    throw invalid("Service", "", "", [
      { reason: "FieldValueInvalid", field: "spec.ports", message: "Internal error: range is full" },
    ]);
  }
}

function ownerOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

/** On update, values the client left out keep what was allocated (the registry's patchAllocatedValues). */
function carryAllocatedValues(spec: Json, oldSpec: Json): void {
  if (needsClusterIP(spec) && needsClusterIP(oldSpec)) {
    if (!spec.clusterIP && !(spec.clusterIPs as string[] | undefined)?.length) {
      spec.clusterIP = oldSpec.clusterIP;
      spec.clusterIPs = oldSpec.clusterIPs;
    }
  }
  if (needsNodePorts(spec) && needsNodePorts(oldSpec)) {
    for (const p of ports(spec)) {
      if (p.nodePort) continue;
      const before = ports(oldSpec).find((o) => o.port === p.port && (o.protocol ?? "TCP") === p.protocol);
      if (before?.nodePort) p.nodePort = before.nodePort;
    }
  }
}
