// Names of policies, backup instances and clusters: DNS-1123 labels, so a name is also a safe blob
// prefix and Kubernetes label value, and can never reach outside its prefix ("/", "..", "~").
import { z } from "zod";

export const NAME_MAX_LENGTH = 63;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAMESPACE_PATTERN = /^[a-z0-9*]([-a-z0-9*]*[a-z0-9*])?$/;
const LABEL_RULE =
  "must be a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";

/** Why `name` is not a valid DNS-1123 label, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name === "") return `is empty; a name ${LABEL_RULE}`;
  if (name.length > NAME_MAX_LENGTH)
    return `"${name.slice(0, 20)}…" is ${name.length} characters long; a name ${LABEL_RULE}`;
  if (!DNS1123_LABEL.test(name)) return `"${name}" ${LABEL_RULE}`;
  return undefined;
}

export function isValidName(name: string): boolean {
  return nameProblem(name) === undefined;
}

/** A zod schema for a DNS-1123 name. */
export function nameSchema() {
  return z.string().superRefine((name, ctx) => {
    const problem = nameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** Kubernetes object names (hook references): DNS-1123 subdomains, at most 253 characters. */
export function objectNameSchema() {
  return z.string().superRefine((name, ctx) => {
    if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      ctx.addIssue({
        code: "custom",
        message: `"${name}" must be a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
      });
    }
  });
}

/** A namespace name or a pattern with `*` wildcards (`shop-*`, `*-staging`, `*`). */
export function namespacePatternSchema() {
  return z.string().superRefine((pattern, ctx) => {
    if (pattern.length > NAME_MAX_LENGTH || !NAMESPACE_PATTERN.test(pattern)) {
      ctx.addIssue({
        code: "custom",
        message: `"${pattern}" is not a namespace name or pattern: lower-case letters, digits, '-' and '*' wildcards, starting and ending with a letter, digit or '*', at most 63 characters`,
      });
    }
  });
}

/** A namespace pattern as a regular expression: `*` stands for any run of characters (none included). */
export function namespacePatternRegExp(pattern: string): RegExp {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`);
}

/** True when `namespace` matches `pattern`, where `*` stands for any run of characters (none included). */
export function namespaceMatches(pattern: string, namespace: string): boolean {
  if (!pattern.includes("*")) return pattern === namespace;
  return namespacePatternRegExp(pattern).test(namespace);
}
