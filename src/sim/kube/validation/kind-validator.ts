// The shape of one kind's validation rules, as the registry lists them: which kinds they apply
// to, how those kinds' names are checked, and the checks on create and update.
import type { Causes } from "./field-errors.js";
import type { NameCheck } from "./metadata.js";
import type { JsonObject } from "./object-access.js";

export interface KindValidator {
  appliesTo: { group: string; kinds: string[] };
  /** How names of these kinds are checked; a DNS-1123 subdomain when absent. */
  nameCheck?: NameCheck;
  /** `old` is the stored object on update, undefined on create. */
  validate(object: JsonObject, old: JsonObject | undefined): Causes;
}
