// Service admission in the request path: cluster IPs from 10.0.0.0/16, node ports from
// 30000-32767, 422 when a requested one is taken, release on delete, and the defaults a server fills in.
import { describe, expect, it } from "vitest";
import type { ObjectBody, StatusBody } from "../helpers/kube-shapes.js";
import { raw, useKubeSim } from "../helpers/kube-sim.js";

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  nodePort?: number;
}

/** A Service as the server returns it, defaults and allocations filled in. */
interface ServiceBody extends ObjectBody {
  spec: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalTrafficPolicy?: string;
    ports: ServicePort[];
    [field: string]: unknown;
  };
}

function service(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
  };
}
const base = "/api/v1/namespaces/default/services";

describe("kube-sim services", () => {
  const h = useKubeSim();

  it("allocates a cluster IP and fills in the defaults", async () => {
    const res = await raw<ServiceBody>(h(), "POST", base, { body: service("web", {}) });
    expect(res.status).toBe(201);
    expect(res.json.spec).toMatchObject({
      type: "ClusterIP",
      sessionAffinity: "None",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
    });
    expect(res.json.spec.clusterIP).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(res.json.spec.clusterIPs).toEqual([res.json.spec.clusterIP]);
  });

  it("keeps headless services headless", async () => {
    const res = await raw<ServiceBody>(h(), "POST", base, {
      body: service("headless", { clusterIP: "None" }),
    });
    expect(res.json.spec.clusterIPs).toEqual(["None"]);
  });

  it("refuses a cluster IP that is taken with 422 and frees it on delete", async () => {
    expect((await raw(h(), "POST", base, { body: service("dns", { clusterIP: "10.0.0.10" }) })).status).toBe(
      201,
    );
    const clash = await raw<StatusBody>(h(), "POST", base, {
      body: service("dns2", { clusterIP: "10.0.0.10" }),
    });
    expect(clash.status).toBe(422);
    expect(clash.json.message).toBe(
      'Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: provided IP is already allocated',
    );
    expect((await raw(h(), "DELETE", `${base}/dns`)).status).toBe(200);
    expect((await raw(h(), "POST", base, { body: service("dns2", { clusterIP: "10.0.0.10" }) })).status).toBe(
      201,
    );
  });

  it("refuses an IP outside the service CIDR", async () => {
    const res = await raw<StatusBody>(h(), "POST", base, {
      body: service("outside", { clusterIP: "192.168.1.1" }),
    });
    expect(res.status).toBe(422);
    expect(res.json.message).toContain(
      "provided IP is not in the valid range. The range of valid IPs is 10.0.0.0/16",
    );
  });

  it("allocates node ports, refuses a taken one with 422 and keeps them across updates", async () => {
    const np = await raw<ServiceBody>(h(), "POST", base, {
      body: service("np", {
        type: "NodePort",
        ports: [
          { name: "http", port: 80, nodePort: 30080 },
          { name: "https", port: 443 },
        ],
      }),
    });
    expect(np.json.spec.ports[0]?.nodePort).toBe(30080);
    expect(np.json.spec.ports[1]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(np.json.spec.externalTrafficPolicy).toBe("Cluster");
    const clash = await raw<StatusBody>(h(), "POST", base, {
      body: service("np2", { type: "LoadBalancer", ports: [{ port: 80, nodePort: 30080 }] }),
    });
    expect(clash.status).toBe(422);
    expect(clash.json.message).toBe(
      'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    const { clusterIP: _ip, clusterIPs: _ips, ...spec } = np.json.spec;
    const updated = await raw<ServiceBody>(h(), "PUT", `${base}/np`, {
      body: {
        ...np.json,
        spec: {
          ...spec,
          ports: spec.ports.map((p) => ({ ...p, nodePort: undefined })),
        },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.spec.clusterIP).toBe(np.json.spec.clusterIP);
    expect(updated.json.spec.ports.map((p) => p.nodePort)).toEqual(np.json.spec.ports.map((p) => p.nodePort));
  });

  it("does not keep what a dry run allocated", async () => {
    const dry = await raw(h(), "POST", `${base}?dryRun=All`, {
      body: service("dry", { clusterIP: "10.0.5.5" }),
    });
    expect(dry.status).toBe(201);
    expect((await raw(h(), "POST", base, { body: service("real", { clusterIP: "10.0.5.5" }) })).status).toBe(
      201,
    );
  });
});
