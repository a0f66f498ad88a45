// Kubeconfig documents for simulated clusters: one cluster, one user, one context, the CA embedded
// so kubectl and @kubernetes/client-node verify the server's certificate. The user is a bearer
// token, or (what AKS hands out for an Entra-integrated cluster) an exec entry running kubelogin.
import { stringify } from "yaml";

/** The Entra application every AKS-managed Entra cluster accepts tokens for ("AKS server application"). */
export const AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";
/** The public client id az and kubelogin sign in with (Azure CLI's kubelogin client). */
const KUBELOGIN_CLIENT_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

export interface KubeconfigSpec {
  /** Context, cluster and user names all derive from this. */
  name: string;
  server: string;
  caCert: string;
  token: string;
  namespace?: string;
}

export function renderKubeconfig(spec: KubeconfigSpec): string {
  return render(spec, { token: spec.token });
}

/** What listClusterUserCredential returns for an Entra cluster: the user runs `kubelogin get-token`. */
export function renderKubeloginKubeconfig(
  spec: Omit<KubeconfigSpec, "token"> & { tenantId: string },
): string {
  return render(spec, {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "kubelogin",
      args: [
        "get-token",
        "--environment",
        "AzurePublicCloud",
        "--server-id",
        AKS_SERVER_APP_ID,
        "--client-id",
        KUBELOGIN_CLIENT_ID,
        "--tenant-id",
        spec.tenantId,
        "--login",
        "devicecode",
      ],
      env: null,
      installHint:
        "\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\n" +
        "To learn more, please go to https://aka.ms/aks/kubelogin\n",
      interactiveMode: "IfPossible",
      provideClusterInfo: false,
    },
  });
}

function render(spec: Omit<KubeconfigSpec, "token">, user: Record<string, unknown>): string {
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
    users: [{ name: `${spec.name}-user`, user }],
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
