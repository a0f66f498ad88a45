// metav1.LabelSelector: its syntax (ValidateLabelSelector) and whether it selects a label set,
// which workloads need to check their pod templates against.
import { type Causes, invalid, notSupported, required } from "./field-errors.js";
import { validateLabels } from "./metadata.js";
import { isQualifiedName } from "./names.js";
import { type JsonObject, listAt, objectAt, stringAt, stringEntries } from "./object-access.js";

export function validateLabelSelector(selector: JsonObject | undefined, path: string): Causes {
  if (!selector) return [];
  const causes: Causes = [...validateLabels(selector.matchLabels, `${path}.matchLabels`)];
  for (const [i, raw] of listAt(selector.matchExpressions).entries()) {
    const expression = objectAt(raw) ?? {};
    const at = `${path}.matchExpressions[${i}]`;
    const operator = stringAt(expression.operator) ?? "";
    const values = listAt(expression.values);
    if (operator === "In" || operator === "NotIn") {
      if (values.length === 0)
        causes.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === "Exists" || operator === "DoesNotExist") {
      if (values.length > 0)
        causes.push({
          reason: "FieldValueForbidden",
          message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          field: `${at}.values`,
        });
    } else {
      causes.push(notSupported(`${at}.operator`, operator, ["In", "NotIn", "Exists", "DoesNotExist"]));
    }
    const key = stringAt(expression.key) ?? "";
    for (const message of isQualifiedName(key)) causes.push(invalid(`${at}.key`, key, message));
  }
  return causes;
}

/** True for `{}`: it selects everything, and workloads skip the template check for it. */
export function isEmptySelector(selector: JsonObject): boolean {
  return stringEntries(selector.matchLabels).length === 0 && listAt(selector.matchExpressions).length === 0;
}

/** Whether the selector selects `labels`; a missing selector selects nothing. */
export function selectorMatches(selector: JsonObject | undefined, labels: unknown): boolean {
  if (!selector) return false;
  const set = new Map(stringEntries(labels));
  for (const [key, value] of stringEntries(selector.matchLabels)) if (set.get(key) !== value) return false;
  for (const raw of listAt(selector.matchExpressions)) {
    const expression = objectAt(raw) ?? {};
    const key = stringAt(expression.key) ?? "";
    const values = listAt(expression.values).map(String);
    const has = set.has(key);
    const value = set.get(key) ?? "";
    switch (expression.operator) {
      case "In":
        if (!has || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (has && values.includes(value)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A selector with absent and empty parts made alike, for immutability comparisons. */
export function normalizedSelector(selector: unknown): JsonObject | undefined {
  const s = objectAt(selector);
  if (!s) return undefined;
  return { matchLabels: objectAt(s.matchLabels) ?? {}, matchExpressions: listAt(s.matchExpressions) };
}
