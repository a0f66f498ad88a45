// The actions durable-functions' executor returns after a replay: flattening, the keys the
// non-determinism check compares, input decoding and retry delays (docs/design/local-runtime.md §5, §6, §9).
import { isRecord } from "./registry.js";

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

/** Actions the local runtime refuses, by what the orchestrator called. */
export const UNSUPPORTED_ACTIONS: Readonly<Record<number, string>> = {
  [ActionType.ContinueAsNew]: "continueAsNew",
  [ActionType.CallEntity]: "callEntity (durable entities)",
  [ActionType.CallHttp]: "callHttp",
  [ActionType.SignalEntity]: "signalEntity (durable entities)",
  [ActionType.LockEntities]: "lock (durable entities)",
  [ActionType.ReleaseEntities]: "lock release (durable entities)",
};

export interface RetryPolicy {
  readonly firstRetryIntervalInMilliseconds: number;
  readonly maxNumberOfAttempts: number;
  readonly backoffCoefficient: number;
  readonly maxRetryIntervalInMilliseconds: number;
}

export interface Action {
  readonly actionType: number;
  readonly functionName?: string;
  readonly input?: unknown;
  readonly instanceId?: string;
  readonly fireAt?: string;
  readonly isCanceled?: boolean;
  readonly externalEventName?: string;
  readonly retryOptions?: RetryPolicy;
}

function toAction(raw: Record<string, unknown>): Action {
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const retry = raw.retryOptions;
  return {
    actionType: Number(raw.actionType),
    functionName: str(raw.functionName),
    input: raw.input,
    instanceId: str(raw.instanceId) || undefined,
    fireAt: raw.fireAt instanceof Date ? raw.fireAt.toISOString() : str(raw.fireAt),
    isCanceled: raw.isCanceled === true,
    externalEventName: str(raw.externalEventName),
    retryOptions: isRecord(retry)
      ? {
          firstRetryIntervalInMilliseconds: Number(retry.firstRetryIntervalInMilliseconds),
          maxNumberOfAttempts: Number(retry.maxNumberOfAttempts),
          backoffCoefficient: Number(retry.backoffCoefficient ?? 1),
          maxRetryIntervalInMilliseconds: Number(retry.maxRetryIntervalInMilliseconds ?? 0),
        }
      : undefined,
  };
}

/** Cumulative actions, depth-first; V1 nests one array per yield, V2+ nests WhenAll/WhenAny. */
export function flattenActions(actions: unknown): Action[] {
  const out: Action[] = [];
  const walk = (item: unknown): void => {
    if (Array.isArray(item)) {
      for (const inner of item) walk(inner);
      return;
    }
    if (!isRecord(item)) return;
    const type = Number(item.actionType);
    if (type === ActionType.WhenAll || type === ActionType.WhenAny) walk(item.compoundActions);
    else out.push(toAction(item));
  };
  walk(actions);
  return out;
}

export function actionKey(action: Action): string {
  const target =
    action.functionName ??
    action.externalEventName ??
    (action.actionType === ActionType.CreateTimer ? "timer" : "");
  return `${action.actionType}:${target}${action.instanceId ? `:${action.instanceId}` : ""}`;
}

// Utils.processInput JSON-encodes string inputs only.
export function decodeInput(input: unknown): unknown {
  return typeof input === "string" ? JSON.parse(input) : input;
}

/** Delay after the 1-based `attempt` failed. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const delay = policy.firstRetryIntervalInMilliseconds * policy.backoffCoefficient ** (attempt - 1);
  return policy.maxRetryIntervalInMilliseconds > 0
    ? Math.min(delay, policy.maxRetryIntervalInMilliseconds)
    : delay;
}

export class NonDeterminismError extends Error {
  override readonly name = "NonDeterminismError";
}

/** Throws unless the replay reproduced every recorded action at its position. */
export function checkDeterminism(
  instanceId: string,
  recorded: readonly string[],
  replayed: readonly Action[],
): void {
  recorded.forEach((expected, position) => {
    const action = replayed[position];
    const got = action ? actionKey(action) : undefined;
    if (got === expected) return;
    throw new NonDeterminismError(
      `Non-deterministic workflow detected in ${instanceId}: a previous execution scheduled ${expected} ` +
        `at position ${position}, but the replay ${got ? `scheduled ${got}` : "did not schedule it"}.`,
    );
  });
}
