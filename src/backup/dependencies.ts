// The cluster-scoped objects that selected namespaced items need to be restorable: their
// Namespaces, the PVs bound to their claims and the StorageClasses those use, the CRDs of their
// custom resources, and the ClusterRoles their RoleBindings grant. Small sets of names, so memory
// stays flat however many items are selected.
import type { KubeObject, ResourceType } from "../kube/types.js";

interface PvcSpec {
  volumeName?: string;
  storageClassName?: string;
}

interface RoleRef {
  kind?: string;
  name?: string;
}

/** The types whose selection reads more of an item than its identity (see DependencyTracker). */
const READ_WHOLE = new Set([
  "/persistentvolumeclaims",
  "/persistentvolumes",
  "rbac.authorization.k8s.io/rolebindings",
]);

export class DependencyTracker {
  /**
   * Whether record() or needs() reads fields of this type's items beyond apiVersion, kind and
   * metadata's name, namespace and labels (a claim's volume, a binding's role, a volume's class).
   * test/backup/dependencies.test.ts watches their reads for every served type to keep this true.
   */
  static readsWholeItems(type: ResourceType): boolean {
    return READ_WHOLE.has(`${type.group}/${type.resource}`);
  }

  readonly #namespaces = new Set<string>();
  readonly #persistentVolumes = new Set<string>();
  readonly #storageClasses = new Set<string>();
  readonly #clusterRoles = new Set<string>();
  /** "<plural>.<group>" of every type that had a selected item: the names of their CRDs. */
  readonly #customTypes = new Set<string>();
  #lastNamespace: string | undefined;
  #lastType: ResourceType | undefined;

  /** Notes what a selected namespaced item needs. */
  record(type: ResourceType, item: KubeObject): void {
    // Per item: runs of one type and one namespace add nothing new after their first item.
    const namespace = item.metadata.namespace;
    if (namespace && namespace !== this.#lastNamespace) {
      this.#namespaces.add(namespace);
      this.#lastNamespace = namespace;
    }
    if (type !== this.#lastType) {
      if (type.group !== "") this.#customTypes.add(`${type.resource}.${type.group}`);
      this.#lastType = type;
    }
    if (type.group === "" && type.resource === "persistentvolumeclaims") {
      const spec = (item.spec ?? {}) as PvcSpec;
      if (spec.volumeName) this.#persistentVolumes.add(spec.volumeName);
      if (spec.storageClassName) this.#storageClasses.add(spec.storageClassName);
    }
    if (type.group === "rbac.authorization.k8s.io" && type.resource === "rolebindings") {
      const roleRef = (item.roleRef ?? {}) as RoleRef;
      if (roleRef.kind === "ClusterRole" && roleRef.name) this.#clusterRoles.add(roleRef.name);
    }
  }

  /** Notes a namespace that is selected even if none of its items are (an empty namespace). */
  recordNamespace(namespace: string): void {
    this.#namespaces.add(namespace);
  }

  /** True when a cluster-scoped object is needed by what was selected. */
  needs(type: ResourceType, item: KubeObject): boolean {
    const name = item.metadata.name ?? "";
    switch (`${type.group}/${type.resource}`) {
      case "/namespaces":
        return this.#namespaces.has(name);
      case "/persistentvolumes":
        if (!this.#persistentVolumes.has(name)) return false;
        this.recordVolumeClass(item);
        return true;
      case "storage.k8s.io/storageclasses":
        return this.#storageClasses.has(name);
      case "apiextensions.k8s.io/customresourcedefinitions":
        return this.#customTypes.has(name);
      case "rbac.authorization.k8s.io/clusterroles":
        return this.#clusterRoles.has(name);
      default:
        return false;
    }
  }

  /** A PV's class is needed too; PVs are read before StorageClasses (see DEPENDENCY_ORDER). */
  private recordVolumeClass(pv: KubeObject): void {
    const storageClassName = (pv.spec as { storageClassName?: string } | undefined)?.storageClassName;
    if (storageClassName) this.#storageClasses.add(storageClassName);
  }
}

/** The order the dependency types are read in: PVs before the StorageClasses they name. */
export const DEPENDENCY_ORDER: readonly string[] = [
  "/namespaces",
  "/persistentvolumes",
  "storage.k8s.io/storageclasses",
  "apiextensions.k8s.io/customresourcedefinitions",
  "rbac.authorization.k8s.io/clusterroles",
];
