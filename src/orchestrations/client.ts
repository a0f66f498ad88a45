// The part of a durable client the API, the timers and the CLI use: start an orchestration under an
// id, read its status, list instances. On Azure it wraps durable-functions' DurableClient; locally
// it is the in-process runtime.

export type RuntimeStatus =
  | "Pending"
  | "Running"
  | "Completed"
  | "ContinuedAsNew"
  | "Failed"
  | "Terminated"
  | "Canceled"
  | "Suspended";

/** The fields of the durable status payload (`GET .../instances/{id}`) the product reads. */
export interface OrchestrationStatus {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly input?: unknown;
  readonly customStatus?: unknown;
  readonly output?: unknown;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
}

export interface InstanceFilter {
  createdFrom?: Date;
  createdTo?: Date;
  runtimeStatus?: readonly RuntimeStatus[];
}

export interface OrchestrationClient {
  /** Starts `name` under `instanceId`; throws InstanceExistsError when that id is pending or running. */
  startNew(name: string, options: { instanceId: string; input?: unknown }): Promise<string>;
  getStatus(instanceId: string): Promise<OrchestrationStatus | undefined>;
  listInstances(filter?: InstanceFilter): Promise<OrchestrationStatus[]>;
}

export class InstanceExistsError extends Error {
  override name = "InstanceExistsError";
  constructor(readonly instanceId: string) {
    super(`orchestration ${instanceId} is already running`);
  }
}

/**
 * Starts `name` under `instanceId` unless an instance with that id exists in any state: what a
 * timer uses so that firing twice (or on two hosts) starts one orchestration. True when started.
 */
export async function startOnce(
  client: OrchestrationClient,
  name: string,
  instanceId: string,
  input: unknown,
): Promise<boolean> {
  if (await client.getStatus(instanceId)) return false;
  try {
    await client.startNew(name, { instanceId, input });
    return true;
  } catch (error) {
    if (error instanceof InstanceExistsError) return false;
    throw error;
  }
}

export const ACTIVE_STATUSES: readonly RuntimeStatus[] = ["Pending", "Running", "Suspended"];

export function isActive(status: OrchestrationStatus | undefined): boolean {
  return status !== undefined && ACTIVE_STATUSES.includes(status.runtimeStatus);
}
