// One replay: hands a history to a registered orchestrator's real durable-functions handler and
// normalises what comes back, including failures the SDK throws instead of returning.
import * as df from "durable-functions";
import { type Action, flattenActions } from "./actions.js";
import type { HistoryEvent } from "./history.js";
import { isRecord, type RegisteredHandler } from "./registry.js";

export interface ReplayInput {
  readonly name: string;
  readonly instanceId: string;
  readonly parentInstanceId: string;
  readonly input: unknown;
  readonly history: readonly HistoryEvent[];
}

export interface ReplayResult {
  readonly isDone: boolean;
  readonly actions: Action[];
  readonly output: unknown;
  readonly customStatus: unknown;
  readonly failure?: { readonly error: string; readonly failureDetails?: unknown };
}

const FAILURE_MARKER = "\n\n$OutOfProcData$:";
const REPLAY_SCHEMA_V4 = 3;

export async function replay(handler: RegisteredHandler, request: ReplayInput): Promise<ReplayResult> {
  const trigger = {
    // A JSON copy: the SDK turns Timestamps into Dates in place.
    history: JSON.parse(JSON.stringify(request.history)),
    input: request.input,
    instanceId: request.instanceId,
    isReplaying: false,
    parentInstanceId: request.parentInstanceId,
    upperSchemaVersion: REPLAY_SCHEMA_V4,
    maximumShortTimerDuration: "6.00:00:00",
    longRunningTimerIntervalDuration: "3.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };
  // Fresh per replay: the SDK only creates context.df when it is undefined.
  const context = new df.DummyOrchestrationContext(
    request.name,
    `${request.instanceId}:${request.history.length}`,
  );
  let state: unknown;
  try {
    state = await handler(trigger, context);
  } catch (error) {
    return failedState(error);
  }
  if (!isRecord(state)) throw new Error(`Orchestrator ${request.name} returned no state`);
  return {
    isDone: state.isDone === true,
    actions: flattenActions(state.actions),
    output: state.output,
    customStatus: state.customStatus,
  };
}

// The SDK throws OrchestrationFailureError whose message prefix is a boolean, not the error; the
// real state is the JSON after the marker.
function failedState(error: unknown): ReplayResult {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf(FAILURE_MARKER);
  if (at < 0) throw error;
  const state: unknown = JSON.parse(message.slice(at + FAILURE_MARKER.length));
  if (!isRecord(state)) throw error;
  return {
    isDone: false,
    actions: flattenActions(state.actions),
    output: undefined,
    customStatus: state.customStatus,
    failure: { error: String(state.error), failureDetails: state.failureDetails },
  };
}
