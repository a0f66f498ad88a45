// Backup hooks as users write them: Velero's pod annotations (pre./post.hook.backup.velero.io/…) and
// the rules of Azure's BackupHook custom resource, read into one exec-hook shape. Pure.
import type { LabelRequirement } from "../../model/label-selector.js";

export type OnError = "Continue" | "Fail";
export type HookPhase = "pre" | "post";

export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;

export interface ExecHook {
  /** Where the hook was written, for messages: "annotations" or "BackupHook shop/freeze (db)". */
  source: string;
  /** Absent: the pod's first container, as Velero does. */
  container?: string;
  command: string[];
  onError: OnError;
  timeoutMs: number;
  /** Set when the hook cannot run as written; it then counts as failed. */
  problem?: string;
}

/** One entry of a BackupHook's spec.backupHook: which pods, and their hooks. */
export interface HookRule {
  source: string;
  includedNamespaces: string[];
  excludedNamespaces: string[];
  /** Absent: every pod. */
  selector?: LabelRequirement[];
  pre: ExecHook[];
  post: ExecHook[];
}

export interface Parsed<T> {
  value: T;
  /** Values that were replaced by defaults, worded for a warning. */
  warnings: string[];
}

const UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration for non-negative values ("30s", "1m30s", "1.5h", "0"); undefined if invalid. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * (UNITS_MS[match[2] ?? ""] ?? Number.NaN);
    at = part.lastIndex;
  }
  return at === 0 || !Number.isFinite(total) ? undefined : total;
}

/** Milliseconds as Go prints a duration: "30s", "1m30s", "500ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

export interface HookFields {
  source: string;
  container: unknown;
  command: unknown;
  onError: unknown;
  timeout: unknown;
}

/** How the two hook families differ: backup hooks fail by default, restore hooks continue. */
export interface HookDefaults {
  onError: OnError;
  /** The timeout's name in messages ("timeout", "exec-timeout"). */
  timeoutName: string;
}

const BACKUP_DEFAULTS: HookDefaults = { onError: "Fail", timeoutName: "timeout" };

/** The fields common to both forms; `command` is a string array already or a problem. */
export function execHook(
  fields: HookFields,
  command: string[] | string,
  what: string,
  defaults: HookDefaults = BACKUP_DEFAULTS,
): Parsed<ExecHook> {
  const warnings: string[] = [];
  let onError: OnError = defaults.onError;
  if (fields.onError === "Continue" || fields.onError === "Fail") onError = fields.onError;
  else if (fields.onError !== undefined && fields.onError !== "") {
    warnings.push(
      `${what}: on-error "${String(fields.onError)}" is not Continue or Fail; using ${defaults.onError}`,
    );
  }
  let timeoutMs = DEFAULT_HOOK_TIMEOUT_MS;
  if (typeof fields.timeout === "string" && fields.timeout !== "") {
    const parsed = parseGoDuration(fields.timeout);
    if (parsed === undefined) {
      warnings.push(
        `${what}: ${defaults.timeoutName} "${fields.timeout}" is not a duration such as 30s; using 30s`,
      );
    } else if (parsed > 0) timeoutMs = parsed;
  }
  const hook: ExecHook = { source: fields.source, command: [], onError, timeoutMs };
  if (typeof fields.container === "string" && fields.container !== "") hook.container = fields.container;
  if (typeof command === "string") hook.problem = command;
  else hook.command = command;
  return { value: hook, warnings };
}

/** Velero's rule: a value starting with "[" is a JSON array of strings, anything else one word. */
export function annotationCommand(value: string): string[] | string {
  if (!value.trimStart().startsWith("[")) return [value];
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((w) => typeof w === "string")) {
      return parsed;
    }
  } catch {
    // Reported below.
  }
  return `command ${value} is not a JSON array of strings`;
}

/** The pre or post hook a pod's annotations declare (none without a command annotation). */
export function hookFromAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  phase: HookPhase,
): Parsed<ExecHook> | undefined {
  const prefix = `${phase}.hook.backup.velero.io/`;
  const get = (key: string) => annotations?.[prefix + key];
  const command = get("command");
  if (command === undefined) return undefined;
  return execHook(
    {
      source: "annotations",
      container: get("container"),
      command,
      onError: get("on-error"),
      timeout: get("timeout"),
    },
    annotationCommand(command),
    `${prefix}command`,
  );
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** metav1.LabelSelector (matchLabels and matchExpressions) as requirements. */
export function selectorOf(value: unknown): LabelRequirement[] | undefined {
  if (value === undefined || value === null) return undefined;
  const selector = record(value);
  const requirements: LabelRequirement[] = Object.entries(record(selector.matchLabels)).map(([key, v]) => ({
    key,
    operator: "In",
    values: [String(v)],
  }));
  for (const raw of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const e = record(raw);
    const operator = e.operator;
    if (operator !== "In" && operator !== "NotIn" && operator !== "Exists" && operator !== "DoesNotExist")
      continue;
    requirements.push({ key: String(e.key ?? ""), operator, values: strings(e.values) });
  }
  return requirements;
}

function execHooks(list: unknown, source: string, what: string, warnings: string[]): ExecHook[] {
  return (Array.isArray(list) ? list : []).map((entry, i) => {
    const exec = record(record(entry).exec);
    const command = strings(exec.command);
    const valid = Array.isArray(exec.command) && command.length > 0 && command.length === exec.command.length;
    const parsed = execHook(
      {
        source,
        container: exec.container,
        command: exec.command,
        onError: exec.onError,
        timeout: exec.timeout,
      },
      valid ? command : "exec.command is not a non-empty array of strings",
      `${what}[${i}]`,
    );
    warnings.push(...parsed.warnings);
    return parsed.value;
  });
}

/** The rules of one BackupHook object (`spec.backupHook[]`). */
export function rulesFromBackupHook(object: {
  metadata?: { namespace?: string; name?: string };
  spec?: unknown;
}): Parsed<HookRule[]> {
  const ref = `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
  const warnings: string[] = [];
  const entries = record(object.spec).backupHook;
  if (!Array.isArray(entries) || entries.length === 0) {
    return { value: [], warnings: [`BackupHook ${ref} has no spec.backupHook entries`] };
  }
  const value = entries.map((raw, i) => {
    const entry = record(raw);
    const name = typeof entry.name === "string" && entry.name !== "" ? entry.name : `#${i}`;
    const source = `BackupHook ${ref} (${name})`;
    const rule: HookRule = {
      source,
      includedNamespaces: strings(entry.includedNamespaces),
      excludedNamespaces: strings(entry.excludedNamespaces),
      pre: execHooks(entry.preHooks, source, `${source} preHooks`, warnings),
      post: execHooks(entry.postHooks, source, `${source} postHooks`, warnings),
    };
    const selector = selectorOf(entry.labelSelector);
    if (selector) rule.selector = selector;
    return rule;
  });
  return { value, warnings };
}
