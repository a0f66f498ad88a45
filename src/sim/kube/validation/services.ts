// Services: DNS-1035 names, ports (required, in range, unique), type-specific fields, node port
// range, and a cluster IP that may not change once set.
import { isIP } from "node:net";
import {
  type Causes,
  duplicate,
  forbidden,
  goSyntax,
  invalid,
  notSupported,
  required,
} from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { isDns1035Label, isDns1123Label, isValidPortName, isValidPortNum } from "./names.js";
import { type JsonObject, listAt, objectAt, stringAt } from "./object-access.js";
import { validateProtocol } from "./pod-spec.js";

const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
// kube-apiserver's default --service-node-port-range.
const nodePortRange = { min: 30000, max: 32767 };

/** `%#v` of the core.ServicePort key apimachinery reports duplicate ports with. */
function goServicePort(protocol: string, port: unknown): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${String(port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

function clusterIPsOf(spec: JsonObject): string[] {
  const ips = listAt(spec.clusterIPs).map(String);
  if (ips.length > 0) return ips;
  const ip = stringAt(spec.clusterIP);
  return ip ? [ip] : [];
}

function validatePorts(spec: JsonObject, type: string, causes: Causes): void {
  const ports = listAt(spec.ports);
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const [i, raw] of ports.entries()) {
    const port = objectAt(raw) ?? {};
    const at = `spec.ports[${i}]`;
    const name = stringAt(port.name) ?? "";
    if (name === "" && ports.length > 1) causes.push(required(`${at}.name`));
    if (name !== "") {
      for (const message of isDns1123Label(name)) causes.push(invalid(`${at}.name`, name, message));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    for (const message of isValidPortNum(port.port))
      causes.push(invalid(`${at}.port`, port.port ?? 0, message));
    validateProtocol(port.protocol, `${at}.protocol`, causes);
    const target = port.targetPort;
    if (typeof target === "number") {
      for (const message of isValidPortNum(target)) causes.push(invalid(`${at}.targetPort`, target, message));
    } else if (typeof target === "string") {
      for (const message of isValidPortName(target))
        causes.push(invalid(`${at}.targetPort`, target, message));
    }
    const nodePort = port.nodePort;
    if (typeof nodePort === "number" && nodePort !== 0) {
      if (type === "ClusterIP" || type === "ExternalName") {
        causes.push(forbidden(`${at}.nodePort`, `may not be used when \`type\` is '${type}'`));
      } else if (nodePort < nodePortRange.min || nodePort > nodePortRange.max) {
        causes.push(
          invalid(
            `${at}.nodePort`,
            nodePort,
            `provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}`,
          ),
        );
      }
    }
    const protocol = stringAt(port.protocol) ?? "TCP";
    const key = `${protocol}/${String(port.port)}`;
    if (keys.has(key)) causes.push(duplicate(at, undefined, goServicePort(protocol, port.port)));
    keys.add(key);
  }
}

export const serviceValidator: KindValidator = {
  appliesTo: { group: "", kinds: ["Service"] },
  nameCheck: isDns1035Label,
  validate(object, old) {
    const spec = objectAt(object.spec) ?? {};
    const causes: Causes = [];
    const type = stringAt(spec.type) ?? "ClusterIP";
    if (!serviceTypes.includes(type)) causes.push(notSupported("spec.type", type, serviceTypes));
    const ips = clusterIPsOf(spec);
    const headless = ips[0] === "None";
    if (listAt(spec.ports).length === 0 && !headless && type !== "ExternalName")
      causes.push(required("spec.ports"));
    if (type === "ExternalName" && !stringAt(spec.externalName)) causes.push(required("spec.externalName"));
    validatePorts(spec, type, causes);
    for (const [i, ip] of ips.entries()) {
      if (ip !== "None" && isIP(ip) === 0) {
        const field = listAt(spec.clusterIPs).length > 0 ? `spec.clusterIPs[${i}]` : "spec.clusterIP";
        causes.push(invalid(field, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
      }
    }
    if (old) {
      const oldSpec = objectAt(old.spec) ?? {};
      const before = clusterIPsOf(oldSpec);
      const toExternalName = type === "ExternalName" || oldSpec.type === "ExternalName";
      // An update that omits the IPs keeps the allocated ones; only a different value is refused.
      if (!toExternalName && before.length > 0 && ips.length > 0 && before[0] !== ips[0]) {
        causes.push(
          invalid("spec.clusterIPs[0]", undefined, "may not change once set", goSyntax(ips, "[]string")),
        );
      }
    }
    return causes;
  },
};
