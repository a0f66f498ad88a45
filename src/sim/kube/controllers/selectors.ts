// Matching labels and nodes the way controllers and the scheduler do: LabelSelector objects
// (matchLabels + matchExpressions) and node selector terms (matchExpressions + matchFields).
import type { KubeObject } from "../types.js";

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

function requirementMatches(
  requirement: LabelSelectorRequirement,
  value: string | undefined,
  numeric = false,
): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      if (!numeric || value === undefined || values.length !== 1) return false;
      const have = Number(value);
      const bound = Number(values[0]);
      return requirement.operator === "Gt" ? have > bound : have < bound;
    }
    default:
      return false;
  }
}

/** An empty or absent selector matches nothing, as workload controllers treat it. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) return false;
  return (
    matchLabels.every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => requirementMatches(e, labels[e.key]))
  );
}

export interface NodeSelectorTerm {
  matchExpressions?: LabelSelectorRequirement[];
  matchFields?: LabelSelectorRequirement[];
}

function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const labels = node.metadata?.labels ?? {};
  const fields: Record<string, string> = { "metadata.name": node.metadata?.name ?? "" };
  const expressions = term.matchExpressions ?? [];
  const matchFields = term.matchFields ?? [];
  if (expressions.length === 0 && matchFields.length === 0) return false;
  return (
    expressions.every((e) => requirementMatches(e, labels[e.key], true)) &&
    matchFields.every((e) => requirementMatches(e, fields[e.key]))
  );
}

/** Terms are ORed, requirements within a term ANDed; no terms means no constraint. */
export function nodeSelectorTermsMatch(terms: NodeSelectorTerm[] | undefined, node: KubeObject): boolean {
  if (!terms || terms.length === 0) return true;
  return terms.some((t) => termMatches(t, node));
}
