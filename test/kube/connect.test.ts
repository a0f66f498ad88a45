// Connecting to clusters as users configure them: kubeconfig YAML or file with a context, an AKS
// resource id through Resource Manager, and the errors for what cannot work (no secrets in them).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { armClientOptions, StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import {
  ClusterConfigError,
  ClusterUnreachableError,
  connectCluster,
  isKubeApiError,
  KubeApiError,
} from "../../src/kube/index.js";
import { renderKubeconfig } from "../../src/sim/kubeconfig.js";
import { useSimulator } from "../helpers/sim.js";
import { connectSim, everythingShown, rejectionOf, VirtualTime } from "./harness.js";

describe("kube: connecting to a cluster", () => {
  const sim = useSimulator({ clusterName: "prod" });
  const dir = mkdtempSync(join(tmpdir(), "kube-connect-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("connects with kubeconfig YAML and returns parsed JSON", async () => {
    const cluster = await connectSim(sim());
    expect(cluster.name).toBe("prod");
    expect(cluster.server).toBe(sim().kube.url);
    const version = await cluster.request<{ gitVersion: string }>("GET", "/version");
    expect(version.gitVersion).toMatch(/^v1\./);
    expect(await cluster.request("GET", "/healthz")).toBe("ok");
    expect(cluster.stats).toMatchObject({ requests: 2, retries: 0 });
    cluster.close();
  });

  it("reads a kubeconfig file and selects the named context", async () => {
    const other = parse(
      renderKubeconfig({
        name: "other",
        server: "https://127.0.0.1:1",
        caCert: sim().tls.caCert,
        token: "x",
      }),
    ) as Record<string, unknown[]>;
    const prod = parse(sim().kubeconfig) as Record<string, unknown[]>;
    const path = join(dir, "config");
    for (const key of ["clusters", "users", "contexts"])
      other[key] = [...(other[key] ?? []), ...(prod[key] ?? [])];
    writeFileSync(path, stringify(other));

    const cluster = await connectCluster({ name: "prod", kubeconfig: path, context: "prod" });
    expect((await cluster.request<{ kind: string }>("GET", "/api/v1/namespaces/default")).kind).toBe(
      "Namespace",
    );
    cluster.close();

    const missing = await rejectionOf(
      connectCluster({ name: "prod", kubeconfig: path, context: "staging" }),
      ClusterConfigError,
    );
    expect(missing.message).toBe(
      'cluster "prod": context "staging" is not in the kubeconfig (contexts: other, prod)',
    );
    const absent = await rejectionOf(
      connectCluster({ name: "dev", kubeconfig: join(dir, "nope") }),
      ClusterConfigError,
    );
    expect(absent.message).toContain(`cluster "dev": cannot load kubeconfig ${join(dir, "nope")}`);
  });

  it("fetches the cluster-user kubeconfig of an AKS resource id through Resource Manager", async () => {
    const s = sim();
    const cluster = await connectCluster(
      { name: "prod", aksResourceId: s.aksResourceId },
      {
        arm: {
          credential: new StaticTokenCredential(s.token),
          clientOptions: armClientOptions({ endpoint: s.azure.url, caCert: s.tls.caCert }),
        },
      },
    );
    expect(cluster.server).toBe(s.kube.url);
    const list = await cluster.request<{ items: unknown[] }>("GET", "/api/v1/namespaces");
    expect(list.items.length).toBeGreaterThanOrEqual(4);
    cluster.close();

    const unknown = s.aksResourceId.replace(/managedClusters\/.*$/, "managedClusters/ghost");
    const failed = await rejectionOf(
      connectCluster(
        { name: "ghost", aksResourceId: unknown },
        {
          arm: {
            credential: new StaticTokenCredential(s.token),
            clientOptions: armClientOptions({ endpoint: s.azure.url, caCert: s.tls.caCert }),
          },
        },
      ),
      ClusterConfigError,
    );
    expect(failed.message).toContain(`AKS cluster ${unknown} was not found in Azure`);
    expect(failed.message).not.toContain(s.token);

    const malformed = await rejectionOf(
      connectCluster({ name: "x", aksResourceId: "/subscriptions/abc" }),
      ClusterConfigError,
    );
    expect(malformed.message).toContain("is not an AKS resource id");
  });

  it("gives one clear error for an unreachable cluster, after the retries", async () => {
    const time = new VirtualTime();
    const token = "never-print-this-token";
    const kubeconfigYaml = renderKubeconfig({
      name: "prod",
      server: "https://127.0.0.1:1",
      caCert: sim().tls.caCert,
      token,
    });
    const cluster = await connectCluster(
      { name: "prod", kubeconfigYaml },
      { clock: time.clock, delay: time.delay },
    );
    const error = await rejectionOf(cluster.request("GET", "/api"), ClusterUnreachableError);
    expect(error.code).toBe("ClusterUnreachable");
    expect(error.message).toBe(
      'cannot reach cluster "prod" at https://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (after 6 attempts)',
    );
    expect(time.waits).toHaveLength(5);
    expect(everythingShown(error)).not.toContain(token);
  });

  it("answers 401 with a KubeApiError, not retried, that shows neither token", async () => {
    const token = "wrong-token-do-not-log";
    const kubeconfigYaml = renderKubeconfig({
      name: "prod",
      server: sim().kube.url,
      caCert: sim().tls.caCert,
      token,
    });
    const time = new VirtualTime();
    const cluster = await connectCluster(
      { name: "prod", kubeconfigYaml },
      { clock: time.clock, delay: time.delay },
    );
    const error = await rejectionOf(cluster.request("GET", "/api/v1/namespaces"), KubeApiError);
    expect(isKubeApiError(error, 401)).toBe(true);
    expect(error).toMatchObject({
      code: "KubeApiError",
      statusCode: 401,
      reason: "Unauthorized",
      attempts: 1,
    });
    expect(error.message).toBe(
      'GET /api/v1/namespaces on cluster "prod" failed with 401 Unauthorized: Unauthorized',
    );
    expect(cluster.stats).toMatchObject({ requests: 1, retries: 0 });
    const serialized = everythingShown(error);
    expect(serialized).not.toContain(token);
    expect(serialized).not.toContain(sim().token);
    cluster.close();
  });

  it("takes a bearer token from a provider instead of the kubeconfig's user", async () => {
    const kubeconfigYaml = renderKubeconfig({
      name: "prod",
      server: sim().kube.url,
      caCert: sim().tls.caCert,
      token: "stale",
    });
    let asked = 0;
    const cluster = await connectCluster(
      { name: "prod", kubeconfigYaml },
      {
        bearerToken: async () => {
          asked++;
          return sim().token;
        },
      },
    );
    await cluster.request("GET", "/api/v1/namespaces/default");
    expect(asked).toBe(1);
    cluster.close();
  });

  it("authenticates through an exec credential plugin, as kubelogin does, and names a broken one", async () => {
    const s = sim();
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      status: { token: s.token },
    });
    const withExec = (command: string, args: string[]) => {
      const config = parse(s.kubeconfig) as { users: Array<{ user: Record<string, unknown> }> };
      const user = config.users[0];
      if (user) {
        user.user = {
          exec: { apiVersion: "client.authentication.k8s.io/v1", command, args, interactiveMode: "Never" },
        };
      }
      return stringify(config);
    };
    const script = `process.stdout.write(${JSON.stringify(credential)})`;
    const cluster = await connectCluster({
      name: "prod",
      kubeconfigYaml: withExec(process.execPath, ["-e", script]),
    });
    expect((await cluster.request<{ kind: string }>("GET", "/api/v1/namespaces")).kind).toBe("NamespaceList");
    cluster.close();

    const broken = await connectCluster({
      name: "prod",
      kubeconfigYaml: withExec("kubelogin-not-installed", ["get-token"]),
    });
    const error = await rejectionOf(broken.request("GET", "/api"), ClusterConfigError);
    expect(error.message).toMatch(/^cluster "prod": cannot get credentials: /);
    expect(broken.stats.requests).toBe(0);
  });

  it("refuses plain-HTTP servers, so a token never travels in clear", async () => {
    const kubeconfigYaml = renderKubeconfig({
      name: "p",
      server: "http://127.0.0.1:8001",
      caCert: sim().tls.caCert,
      token: "t",
    });
    await expect(connectCluster({ name: "p", kubeconfigYaml })).rejects.toThrow(
      'cluster "p": server http://127.0.0.1:8001 must use https',
    );
  });
});
