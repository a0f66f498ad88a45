// References to resource types as users write them (Azure's `apps/v1/Deployment`, kubectl's
// `deployments.apps`, a bare `Secret` or `secrets`) and the rule that says which served type they name.
import { z } from "zod";

/** A parsed reference; unset fields match anything. `group: ""` is the core group. */
export interface ResourceTypeRef {
  group?: string;
  version?: string;
  kind?: string;
  resource?: string;
}

/** A type the cluster serves, as discovery describes it. */
export interface ServedResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
}

export class ResourceTypeError extends Error {
  readonly code = "InvalidResourceType";
  override name = "ResourceTypeError";
}

const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
const RESOURCE = /^[a-z][a-z0-9-]*$/;
const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const FORMS =
  "expected <version>/<Kind> (v1/Secret), <group>/<version>/<Kind> (apps/v1/Deployment), <resource>[.<version>].<group> (deployments.apps) or a bare Kind or resource (Secret, secrets)";

/**
 * Parses the accepted forms:
 * - `v1/Secret` -> core group, version v1, kind Secret; `apps/v1/Deployment` -> group, version, kind
 * - `deployments.apps` -> resource + group; `deployments.v1.apps` -> resource + version + group
 * - `Deployment` (has an upper-case letter) -> kind; `secrets` -> resource, in any group
 */
export function parseResourceType(text: string): ResourceTypeRef {
  const fail = (problem: string): never => {
    throw new ResourceTypeError(`"${text}" is not a resource type: ${problem}`);
  };
  if (text.trim() === "") fail(FORMS);
  if (/\s/.test(text)) fail(`it contains white space; ${FORMS}`);
  if (text.includes("/")) {
    const parts = text.split("/");
    const kind = parts.at(-1) ?? "";
    if (!KIND.test(kind)) fail(`"${kind}" is not a Kind (letters and digits, e.g. Deployment)`);
    if (parts.length === 2) {
      const version = parts[0] ?? "";
      if (!VERSION.test(version)) {
        fail(
          `"${version}" is not an API version; core types are v1/<Kind>, others <group>/<version>/<Kind> (e.g. ${version}/v1/${kind})`,
        );
      }
      return { group: "", version, kind };
    }
    if (parts.length === 3) {
      const [group = "", version = ""] = parts;
      if (!GROUP.test(group)) fail(`"${group}" is not an API group (a DNS name such as apps or example.com)`);
      if (!VERSION.test(version)) fail(`"${version}" is not an API version (v1, v1beta1, v2alpha1, ...)`);
      return { group, version, kind };
    }
    fail(FORMS);
  }
  const [name = "", ...rest] = text.split(".");
  const isKind = /[A-Z]/.test(name);
  if (isKind ? !KIND.test(name) : !RESOURCE.test(name)) fail(FORMS);
  const ref: ResourceTypeRef = isKind ? { kind: name } : { resource: name };
  if (rest.length === 0) return ref;
  if (VERSION.test(rest[0] ?? "")) {
    if (rest.length === 1) {
      fail(
        `a version needs a group after it (deployments.v1.apps); core types have no group: write ${name} or v1/<Kind>`,
      );
    }
    ref.version = rest.shift();
  }
  const group = rest.join(".");
  if (!GROUP.test(group)) fail(`"${group}" is not an API group (a DNS name such as apps or example.com)`);
  ref.group = group;
  return ref;
}

/**
 * Matching rules:
 * - a group, when given, must equal the type's group (`""` = core); none given matches every group,
 *   so `events` selects both core and events.k8s.io Events;
 * - a kind or resource name matches the type's Kind or its plural resource name, ignoring case, so
 *   `Secret`, `secret`, `secrets` and `v1/Secret` all select Secrets;
 * - the version is not compared: a type's objects are the same in every version its group serves,
 *   and a backup reads each type once, at its preferred version.
 */
export function matchesResourceType(ref: ResourceTypeRef, type: ServedResourceType): boolean {
  if (ref.group !== undefined && ref.group.toLowerCase() !== type.group.toLowerCase()) return false;
  const names = [type.kind.toLowerCase(), type.resource.toLowerCase()];
  for (const name of [ref.kind, ref.resource]) {
    if (name !== undefined && !names.includes(name.toLowerCase())) return false;
  }
  return true;
}

/** The reference in the form it was most likely written in. */
export function formatResourceType(ref: ResourceTypeRef): string {
  if (ref.kind !== undefined && ref.version !== undefined && ref.group !== undefined) {
    return ref.group === "" ? `${ref.version}/${ref.kind}` : `${ref.group}/${ref.version}/${ref.kind}`;
  }
  const name = ref.kind ?? ref.resource ?? "";
  return [name, ref.version, ref.group].filter((part) => part !== undefined && part !== "").join(".");
}

export function resourceTypeSchema() {
  return z.string().superRefine((text, ctx) => {
    try {
      parseResourceType(text);
    } catch (error) {
      if (!(error instanceof ResourceTypeError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
    }
  });
}
