// The workload objects every AKS cluster starts with: the `kubernetes` Service in default and a
// representative part of kube-system (CoreDNS, kube-proxy), so scope filters have something to skip.
import type { KubeObject } from "../types.js";
import type { ResolvedOptions } from "./context.js";

const addon = (mode: string) => ({
  "addonmanager.kubernetes.io/mode": mode,
  "kubernetes.io/cluster-service": "true",
});

export function seedDefaultNamespace(): KubeObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kubernetes",
        namespace: "default",
        labels: { component: "apiserver", provider: "kubernetes" },
      },
      spec: {
        clusterIP: "10.0.0.1",
        clusterIPs: ["10.0.0.1"],
        internalTrafficPolicy: "Cluster",
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 443 }],
        sessionAffinity: "None",
        type: "ClusterIP",
      },
    },
  ];
}

export function seedKubeSystem(options: ResolvedOptions): KubeObject[] {
  const dnsLabels = { "k8s-app": "kube-dns", version: "v20" };
  const proxyLabels = { component: "kube-proxy", tier: "node" };
  const kubernetesVersion = "v1.30.6";
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "coredns", namespace: "kube-system", labels: addon("Reconcile") },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "kube-proxy", namespace: "kube-system", labels: addon("Reconcile") },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns", namespace: "kube-system", labels: addon("Reconcile") },
      data: {
        Corefile: [
          ".:53 {",
          "    errors",
          "    ready",
          "    health {",
          "      lameduck 5s",
          "    }",
          "    kubernetes cluster.local in-addr.arpa ip6.arpa {",
          "      pods insecure",
          "      fallthrough in-addr.arpa ip6.arpa",
          "      ttl 30",
          "    }",
          "    prometheus :9153",
          "    forward . /etc/resolv.conf",
          "    cache 30",
          "    loop",
          "    reload",
          "    loadbalance",
          "    import custom/*.override",
          "}",
          "import custom/*.server",
          "",
        ].join("\n"),
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns-custom", namespace: "kube-system", labels: addon("EnsureExists") },
      data: {},
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kube-dns",
        namespace: "kube-system",
        labels: { ...addon("Reconcile"), "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS" },
      },
      spec: {
        clusterIP: "10.0.0.10",
        clusterIPs: ["10.0.0.10"],
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        ],
        selector: { "k8s-app": "kube-dns" },
        type: "ClusterIP",
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "coredns",
        namespace: "kube-system",
        labels: { ...addon("Reconcile"), ...dnsLabels, "kubernetes.io/name": "CoreDNS" },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: dnsLabels },
        template: {
          metadata: { labels: { ...dnsLabels, "kubernetes.azure.com/managedby": "aks" } },
          spec: {
            containers: [
              {
                name: "coredns",
                image: "mcr.microsoft.com/oss/kubernetes/coredns:v1.11.3-2",
                args: ["-conf", "/etc/coredns/Corefile"],
                ports: [
                  { containerPort: 53, name: "dns", protocol: "UDP" },
                  { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                  { containerPort: 9153, name: "metrics", protocol: "TCP" },
                ],
                resources: { limits: { memory: "500Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
                volumeMounts: [
                  { mountPath: "/etc/coredns", name: "config-volume", readOnly: true },
                  { mountPath: "/etc/coredns/custom", name: "custom-config-volume", readOnly: true },
                ],
              },
            ],
            dnsPolicy: "Default",
            nodeSelector: { "kubernetes.io/os": "linux" },
            priorityClassName: "system-node-critical",
            serviceAccountName: "coredns",
            volumes: [
              {
                name: "config-volume",
                configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] },
              },
              { name: "custom-config-volume", configMap: { name: "coredns-custom", optional: true } },
            ],
          },
        },
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: {
        name: "kube-proxy",
        namespace: "kube-system",
        labels: { ...addon("Reconcile"), ...proxyLabels },
      },
      spec: {
        selector: { matchLabels: proxyLabels },
        template: {
          metadata: { labels: { ...proxyLabels, "kubernetes.azure.com/managedby": "aks" } },
          spec: {
            containers: [
              {
                name: "kube-proxy",
                image: `mcr.microsoft.com/oss/kubernetes/kube-proxy:${kubernetesVersion}`,
                command: [
                  "kube-proxy",
                  "--conntrack-max-per-core=0",
                  "--metrics-bind-address=0.0.0.0:10249",
                  `--cluster-cidr=10.244.0.0/16`,
                ],
                resources: { requests: { cpu: "100m" } },
                securityContext: { privileged: true },
              },
            ],
            hostNetwork: true,
            nodeSelector: { "kubernetes.io/os": "linux" },
            priorityClassName: "system-node-critical",
            serviceAccountName: "kube-proxy",
            tolerations: [{ operator: "Exists" }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cluster-info", namespace: "kube-public" },
      data: {
        kubeconfig: `apiVersion: v1\nclusters:\n- cluster:\n    server: https://${options.clusterName}.hcp.${options.location}.azmk8s.io:443\n  name: ""\nkind: Config\n`,
      },
    },
  ];
}

export function seedPriorityClasses(): KubeObject[] {
  return [
    [
      "system-cluster-critical",
      2000000000,
      "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ],
    [
      "system-node-critical",
      2000001000,
      "Used for system critical pods that must not be moved from their current node.",
    ],
  ].map(([name, value, description]) => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: name as string },
    value: value as number,
    globalDefault: false,
    description: description as string,
    preemptionPolicy: "PreemptLowerPriority",
  }));
}
