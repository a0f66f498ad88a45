// Which namespaces a backup covers: included and excluded patterns with `*` wildcards, and the
// system namespaces left out unless a pattern names them exactly.
import { namespacePatternRegExp } from "../model/names.js";

/** Left out of every backup unless an included pattern names them without a wildcard. */
export const SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

export interface NamespaceFilter {
  includedNamespaces?: readonly string[];
  excludedNamespaces?: readonly string[];
}

/** Compiles the patterns once; the returned predicate runs per object. */
export function namespaceMatcher(filter: NamespaceFilter): (namespace: string) => boolean {
  const included = (filter.includedNamespaces ?? []).filter((p) => p.length > 0);
  const includeAll = included.length === 0 || included.includes("*");
  const includes = included.map(namespacePatternRegExp);
  const excludes = (filter.excludedNamespaces ?? []).map(namespacePatternRegExp);
  const named = new Set(included.filter((p) => !p.includes("*")));
  return (namespace) => {
    if (excludes.some((re) => re.test(namespace))) return false;
    if (SYSTEM_NAMESPACES.includes(namespace) && !named.has(namespace)) return false;
    return includeAll || includes.some((re) => re.test(namespace));
  };
}
