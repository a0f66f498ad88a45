// Kubeconfig documents for simulated clusters: one cluster, one user (bearer token), one context,
// the CA embedded so kubectl and @kubernetes/client-node verify the server's certificate.
import { stringify } from "yaml";

export interface KubeconfigSpec {
  /** Context, cluster and user names all derive from this. */
  name: string;
  server: string;
  caCert: string;
  token: string;
  namespace?: string;
}

export function renderKubeconfig(spec: KubeconfigSpec): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [
      {
        name: spec.name,
        cluster: {
          server: spec.server,
          "certificate-authority-data": Buffer.from(spec.caCert).toString("base64"),
        },
      },
    ],
    users: [{ name: `${spec.name}-user`, user: { token: spec.token } }],
    contexts: [
      {
        name: spec.name,
        context: {
          cluster: spec.name,
          user: `${spec.name}-user`,
          ...(spec.namespace ? { namespace: spec.namespace } : {}),
        },
      },
    ],
    "current-context": spec.name,
  });
}
