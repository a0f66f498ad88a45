// History events in the wire shape durable-functions' replay executor reads (EventType numbers and
// PascalCase fields from durable-functions 3.5 lib/src/history); see docs/design/local-runtime.md §4.

export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
} as const;

export type EventTypeNumber = (typeof EventType)[keyof typeof EventType];

export interface HistoryEvent {
  readonly EventType: EventTypeNumber;
  readonly EventId: number;
  readonly IsPlayed: boolean;
  readonly Timestamp: string;
  readonly [field: string]: unknown;
}

export interface FailureInfo {
  readonly errorType: string;
  readonly message: string;
  readonly stack?: string;
}

/** `EventId` is only meaningful for scheduling events; others use -1 as DTFx does. */
export function historyEvent(
  type: EventTypeNumber,
  timestamp: number,
  fields: Record<string, unknown> = {},
  eventId = -1,
): HistoryEvent {
  return {
    EventType: type,
    EventId: eventId,
    IsPlayed: false,
    Timestamp: iso(timestamp),
    ...fields,
  };
}

// The executor JSON.parses Result, and JSON.parse(undefined) throws.
export function resultJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** Fields of TaskFailed / SubOrchestrationInstanceFailed; the orchestrator sees "<ErrorType>: <ErrorMessage>". */
export function failureFields(scheduledId: number, failure: FailureInfo): Record<string, unknown> {
  return {
    TaskScheduledId: scheduledId,
    Reason: failure.message,
    Details: failure.stack ?? "",
    FailureDetails: {
      ErrorType: failure.errorType,
      ErrorMessage: failure.message,
      StackTrace: failure.stack,
      IsNonRetriable: false,
    },
  };
}

export function failureOf(error: unknown): FailureInfo {
  if (error instanceof Error) return { errorType: error.name, message: error.message, stack: error.stack };
  return { errorType: "Error", message: String(error) };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** SubOrchestrationInstanceCompleted or …Failed for the parent's task `scheduledId`. */
export function subOrchestrationResult(
  scheduledId: number,
  timestamp: number,
  outcome: { output: unknown } | { error: string; errorType?: string },
): HistoryEvent {
  if ("error" in outcome) {
    const failure = { errorType: outcome.errorType ?? "OrchestrationFailure", message: outcome.error };
    return historyEvent(
      EventType.SubOrchestrationInstanceFailed,
      timestamp,
      failureFields(scheduledId, failure),
    );
  }
  const fields = { TaskScheduledId: scheduledId, Result: resultJson(outcome.output) };
  return historyEvent(EventType.SubOrchestrationInstanceCompleted, timestamp, fields);
}
