// Cluster-scoped kinds with naming rules of their own: Namespaces (DNS-1123 labels) and
// CustomResourceDefinitions (named `<plural>.<group>`).
import { invalid } from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { isDns1123Label } from "./names.js";
import { objectAt, stringAt } from "./object-access.js";

export const namespaceValidator: KindValidator = {
  appliesTo: { group: "", kinds: ["Namespace"] },
  nameCheck: isDns1123Label,
  validate: () => [],
};

export const customResourceDefinitionValidator: KindValidator = {
  appliesTo: { group: "apiextensions.k8s.io", kinds: ["CustomResourceDefinition"] },
  validate(object) {
    const spec = objectAt(object.spec) ?? {};
    const plural = stringAt(objectAt(spec.names)?.plural) ?? "";
    const group = stringAt(spec.group) ?? "";
    const name = stringAt(objectAt(object.metadata)?.name) ?? "";
    if (name === "" || name === `${plural}.${group}`) return [];
    return [invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group')];
  },
};
