// Restore hooks as users write them: Velero's pod annotations (post.hook.restore.velero.io/… for a
// command exec'd in the restored pod, init.hook.restore.velero.io/… for an init container added to
// it) and the rules of Azure's RestoreHook custom resource. Pure.
import {
  annotationCommand,
  type ExecHook,
  execHook,
  type HookDefaults,
  type Parsed,
  parseGoDuration,
  selectorOf,
} from "../../backup/hooks/parse.js";
import type { LabelRequirement } from "../../model/label-selector.js";

/** How long a hook waits for its container when it names no wait-timeout (Velero waits forever). */
export const DEFAULT_WAIT_TIMEOUT_MS = 5 * 60_000;

/** Velero and Azure both document Continue as a restore hook's default on-error. */
const RESTORE_DEFAULTS: HookDefaults = { onError: "Continue", timeoutName: "exec-timeout" };

export interface RestoreExecHook extends ExecHook {
  /** How long after the restore applied its resources the hook's container may take to run. */
  waitTimeoutMs: number;
  /** Wait for the container to be ready, not only running (Velero's wait-for-ready). */
  waitForReady: boolean;
}

/** One entry of a RestoreHook's spec.restoreHook: which restored pods, and their hooks. */
export interface RestoreHookRule {
  source: string;
  /** Target namespaces (after mapping), `*` patterns; empty: every namespace. */
  includedNamespaces: string[];
  excludedNamespaces: string[];
  /** Absent: every pod. */
  selector?: LabelRequirement[];
  hooks: RestoreExecHook[];
}

/** The init container an `init.hook.restore.velero.io/` annotation set describes. */
export interface InitContainerHook {
  name: string;
  image: string;
  /** Absent: the image's entrypoint. */
  command?: string[];
}

/** The name Velero's annotations leave to us; fixed so a plan is the same every time. */
export const DEFAULT_INIT_CONTAINER_NAME = "restore-hook-init";

const EXEC_PREFIX = "post.hook.restore.velero.io/";
const INIT_PREFIX = "init.hook.restore.velero.io/";

interface WaitFields {
  waitTimeout: unknown;
  waitForReady: unknown;
}

/** The restore-only fields: wait-timeout (a duration; 0 or absent: the default) and wait-for-ready. */
function withWait(parsed: Parsed<ExecHook>, fields: WaitFields, what: string): Parsed<RestoreExecHook> {
  const warnings = [...parsed.warnings];
  let waitTimeoutMs = DEFAULT_WAIT_TIMEOUT_MS;
  if (typeof fields.waitTimeout === "string" && fields.waitTimeout !== "") {
    const value = parseGoDuration(fields.waitTimeout);
    if (value === undefined) {
      warnings.push(`${what}: wait-timeout "${fields.waitTimeout}" is not a duration such as 5m; using 5m`);
    } else if (value > 0) waitTimeoutMs = value;
  }
  let waitForReady = false;
  if (fields.waitForReady === true || fields.waitForReady === "true") waitForReady = true;
  else if (
    fields.waitForReady !== undefined &&
    fields.waitForReady !== false &&
    fields.waitForReady !== "false" &&
    fields.waitForReady !== ""
  ) {
    warnings.push(
      `${what}: wait-for-ready "${String(fields.waitForReady)}" is not true or false; using false`,
    );
  }
  return { value: { ...parsed.value, waitTimeoutMs, waitForReady }, warnings };
}

/** The exec hook a pod's annotations declare (none without a command annotation). */
export function restoreHookFromAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): Parsed<RestoreExecHook> | undefined {
  const get = (key: string) => annotations?.[EXEC_PREFIX + key];
  const command = get("command");
  if (command === undefined || command === "") return undefined;
  const what = `${EXEC_PREFIX}command`;
  const parsed = execHook(
    {
      source: "annotations",
      container: get("container"),
      command,
      onError: get("on-error"),
      timeout: get("exec-timeout"),
    },
    annotationCommand(command),
    what,
    RESTORE_DEFAULTS,
  );
  return withWait(parsed, { waitTimeout: get("wait-timeout"), waitForReady: get("wait-for-ready") }, what);
}

/**
 * The init container a pod's annotations declare: none without an image, as in Velero. A command
 * that is not a JSON array of strings is a warning and the image's entrypoint is used.
 */
export function initContainerFromAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): Parsed<InitContainerHook> | undefined {
  const get = (key: string) => annotations?.[INIT_PREFIX + key];
  const image = get("container-image");
  if (image === undefined || image === "") return undefined;
  const name = get("container-name") || DEFAULT_INIT_CONTAINER_NAME;
  const hook: InitContainerHook = { name, image };
  const warnings: string[] = [];
  const command = get("command");
  if (command !== undefined && command !== "") {
    const parsed = annotationCommand(command);
    if (typeof parsed === "string") {
      warnings.push(`${INIT_PREFIX}command: ${parsed}; the image's entrypoint is used`);
    } else hook.command = parsed;
  }
  return { value: hook, warnings };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function execHooks(list: unknown, source: string, what: string, warnings: string[]): RestoreExecHook[] {
  const hooks: RestoreExecHook[] = [];
  (Array.isArray(list) ? list : []).forEach((entry, i) => {
    const raw = record(entry);
    if (raw.exec === undefined) {
      // Velero's init hooks have no place in Azure's RestoreHook; say so rather than drop them silently.
      warnings.push(`${what}[${i}] has no exec; only exec hooks run from a RestoreHook`);
      return;
    }
    const exec = record(raw.exec);
    const command = strings(exec.command);
    const valid = Array.isArray(exec.command) && command.length > 0 && command.length === exec.command.length;
    const parsed = withWait(
      execHook(
        {
          source,
          container: exec.container,
          command: exec.command,
          onError: exec.onError,
          timeout: exec.execTimeout,
        },
        valid ? command : "exec.command is not a non-empty array of strings",
        `${what}[${i}]`,
        RESTORE_DEFAULTS,
      ),
      { waitTimeout: exec.waitTimeout, waitForReady: exec.waitForReady },
      `${what}[${i}]`,
    );
    warnings.push(...parsed.warnings);
    hooks.push(parsed.value);
  });
  return hooks;
}

/** The rules of one RestoreHook object (`spec.restoreHook[]`). */
export function rulesFromRestoreHook(object: {
  metadata?: { namespace?: string; name?: string };
  spec?: unknown;
}): Parsed<RestoreHookRule[]> {
  const ref = `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
  const warnings: string[] = [];
  const entries = record(object.spec).restoreHook;
  if (!Array.isArray(entries) || entries.length === 0) {
    return { value: [], warnings: [`RestoreHook ${ref} has no spec.restoreHook entries`] };
  }
  const value = entries.map((raw, i) => {
    const entry = record(raw);
    const name = typeof entry.name === "string" && entry.name !== "" ? entry.name : `#${i}`;
    const source = `RestoreHook ${ref} (${name})`;
    const rule: RestoreHookRule = {
      source,
      includedNamespaces: strings(entry.includedNamespaces),
      excludedNamespaces: strings(entry.excludedNamespaces),
      hooks: execHooks(entry.postHooks, source, `${source} postHooks`, warnings),
    };
    const selector = selectorOf(entry.labelSelector);
    if (selector) rule.selector = selector;
    return rule;
  });
  return { value, warnings };
}
