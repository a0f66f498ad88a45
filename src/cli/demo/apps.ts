// The sample applications demo mode deploys: small, realistic workloads a platform team would want
// backed up — config, secrets, services, a database on per-replica disks and a claim on the default
// class — written as a user would write them, so the backup has real things to find.

export interface DemoApp {
  name: string;
  namespace: string;
  /** One line for the console: what it is and where its data lives. */
  description: string;
  /** Multi-document YAML, applied in order. */
  manifests: string;
  /** Claims that must be Bound to an Azure disk before the demo is ready (some come from templates). */
  claims: string[];
}

const shopNamespace = `
apiVersion: v1
kind: Namespace
metadata:
  name: demo-shop
  labels: {app.kubernetes.io/part-of: shop}
`;

const storefront = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: storefront-config
  namespace: demo-shop
  labels: {app.kubernetes.io/name: storefront, app.kubernetes.io/part-of: shop}
data:
  SHOP_CURRENCY: EUR
  SHOP_DATABASE_HOST: postgres.demo-shop.svc.cluster.local
  default.conf: |
    server {
      listen 8080;
      location / { root /usr/share/nginx/html; }
      location /healthz { return 200 "ok"; }
    }
---
apiVersion: v1
kind: Secret
metadata:
  name: storefront-db
  namespace: demo-shop
  labels: {app.kubernetes.io/part-of: shop}
type: Opaque
stringData:
  username: shop
  password: demo-password-not-a-real-secret
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: demo-shop
  labels: {app.kubernetes.io/name: storefront, app.kubernetes.io/part-of: shop}
spec:
  replicas: 2
  selector:
    matchLabels: {app.kubernetes.io/name: storefront}
  template:
    metadata:
      labels: {app.kubernetes.io/name: storefront, app.kubernetes.io/part-of: shop}
    spec:
      containers:
        - name: web
          image: nginxinc/nginx-unprivileged:1.27
          ports: [{name: http, containerPort: 8080}]
          envFrom: [{configMapRef: {name: storefront-config}}]
          env:
            - name: SHOP_DATABASE_PASSWORD
              valueFrom: {secretKeyRef: {name: storefront-db, key: password}}
          volumeMounts: [{name: config, mountPath: /etc/nginx/conf.d}]
          readinessProbe: {httpGet: {path: /healthz, port: http}}
      volumes:
        - name: config
          configMap:
            name: storefront-config
            items: [{key: default.conf, path: default.conf}]
---
apiVersion: v1
kind: Service
metadata:
  name: storefront
  namespace: demo-shop
  labels: {app.kubernetes.io/name: storefront, app.kubernetes.io/part-of: shop}
spec:
  selector: {app.kubernetes.io/name: storefront}
  ports: [{name: http, port: 80, targetPort: http}]
`;

const postgres = `
apiVersion: v1
kind: Service
metadata:
  name: postgres
  namespace: demo-shop
  labels: {app.kubernetes.io/name: postgres, app.kubernetes.io/part-of: shop}
spec:
  clusterIP: None
  selector: {app.kubernetes.io/name: postgres}
  ports: [{name: postgres, port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
  namespace: demo-shop
  labels: {app.kubernetes.io/name: postgres, app.kubernetes.io/part-of: shop}
spec:
  serviceName: postgres
  replicas: 1
  selector:
    matchLabels: {app.kubernetes.io/name: postgres}
  template:
    metadata:
      labels: {app.kubernetes.io/name: postgres, app.kubernetes.io/part-of: shop}
    spec:
      containers:
        - name: postgres
          image: postgres:16
          ports: [{name: postgres, containerPort: 5432}]
          env:
            - name: POSTGRES_USER
              valueFrom: {secretKeyRef: {name: storefront-db, key: username}}
            - name: POSTGRES_PASSWORD
              valueFrom: {secretKeyRef: {name: storefront-db, key: password}}
            - {name: PGDATA, value: /var/lib/postgresql/data/pgdata}
          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: managed-csi-premium
        resources: {requests: {storage: 8Gi}}
`;

const wiki = `
apiVersion: v1
kind: Namespace
metadata:
  name: demo-wiki
  labels: {app.kubernetes.io/part-of: wiki}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: wiki-content
  namespace: demo-wiki
  labels: {app.kubernetes.io/name: wiki}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 4Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wiki
  namespace: demo-wiki
  labels: {app.kubernetes.io/name: wiki}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector:
    matchLabels: {app.kubernetes.io/name: wiki}
  template:
    metadata:
      labels: {app.kubernetes.io/name: wiki}
    spec:
      containers:
        - name: wiki
          image: requarks/wiki:2.5
          ports: [{name: http, containerPort: 3000}]
          env: [{name: DB_TYPE, value: sqlite}, {name: DB_FILEPATH, value: /wiki/data/db.sqlite}]
          volumeMounts: [{name: content, mountPath: /wiki/data}]
      volumes:
        - name: content
          persistentVolumeClaim: {claimName: wiki-content}
---
apiVersion: v1
kind: Service
metadata:
  name: wiki
  namespace: demo-wiki
  labels: {app.kubernetes.io/name: wiki}
spec:
  selector: {app.kubernetes.io/name: wiki}
  ports: [{name: http, port: 80, targetPort: http}]
`;

export const DEMO_APPS: readonly DemoApp[] = [
  {
    name: "storefront",
    namespace: "demo-shop",
    description: "web shop: Deployment (2 replicas), Service, ConfigMap, Secret",
    manifests: `${shopNamespace}---${storefront}`,
    claims: [],
  },
  {
    name: "postgres",
    namespace: "demo-shop",
    description: "its database: StatefulSet with an 8 GiB Premium SSD disk per replica",
    manifests: postgres,
    claims: ["data-postgres-0"],
  },
  {
    name: "wiki",
    namespace: "demo-wiki",
    description: "team wiki: Deployment with a 4 GiB disk from the default storage class",
    manifests: wiki,
    claims: ["wiki-content"],
  },
];

/** The namespaces the demo's instance protects, in first-seen order. */
export function demoNamespaces(apps: readonly DemoApp[] = DEMO_APPS): string[] {
  return [...new Set(apps.map((app) => app.namespace))];
}
