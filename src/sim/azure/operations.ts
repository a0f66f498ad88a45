// Long-running operations of the Azure fake, the way Compute runs them: a write answers 202 with
// Azure-AsyncOperation and Location URLs, and the operation finishes after a set number of polls.
import { randomUUID } from "node:crypto";
import { ArmError, type ArmErrorBody } from "./arm-error.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";
import type { OperationFailure } from "./faults.js";

/** What an operation does when it finishes: `complete` returns the resource body (PUT/PATCH). */
export interface OperationWork {
  complete(): unknown;
  /** Marks the resource as Azure leaves it after a failed operation. */
  fail(): void;
}

export interface OperationsConfig {
  subscriptionId: string;
  location: string;
  clock: () => Date;
  /** Polls of the status URL before the operation finishes. */
  steps: number;
  /** Retry-After (seconds) on 202 answers and running operation statuses. */
  retryAfterSeconds: number;
}

const maxRemembered = 10_000;

interface Operation {
  id: string;
  status: "InProgress" | "Succeeded" | "Failed";
  startTime: Date;
  endTime?: Date;
  pollsLeft: number;
  statusUrl: string;
  work: OperationWork;
  injectedFailure: OperationFailure | undefined;
  output?: unknown;
  error?: ArmErrorBody;
  errorStatus?: number;
}

export class Operations {
  readonly #operations = new Map<string, Operation>();
  readonly #config: OperationsConfig;

  constructor(config: OperationsConfig) {
    this.#config = config;
  }

  /** Starts an operation and returns the headers of the 202 (or 201/200) that announces it. */
  start(
    request: ArmRequest,
    work: OperationWork,
    injectedFailure?: OperationFailure,
  ): Record<string, string> {
    const id = randomUUID();
    const { subscriptionId, location } = this.#config;
    const statusUrl =
      `${request.baseUrl}/subscriptions/${subscriptionId}/providers/Microsoft.Compute/locations/${location}` +
      `/DiskOperations/${id}?api-version=${encodeURIComponent(request.apiVersion)}`;
    const operation: Operation = {
      id,
      status: "InProgress",
      startTime: this.#config.clock(),
      pollsLeft: this.#config.steps,
      statusUrl,
      work,
      injectedFailure,
    };
    this.#forgetOldest();
    this.#operations.set(id, operation);
    if (operation.pollsLeft <= 0) this.#finish(operation);
    return {
      "azure-asyncoperation": statusUrl,
      location: `${statusUrl}&monitor=true`,
      "retry-after": String(this.#config.retryAfterSeconds),
    };
  }

  /** Answers a poll of the Azure-AsyncOperation URL, or of the Location URL when `monitor` is set. */
  poll(id: string, monitor: boolean): ArmResponse {
    const operation = this.#operations.get(id.toLowerCase());
    if (operation === undefined) {
      throw new ArmError(404, "NotFound", `The operation '${id}' was not found.`);
    }
    if (operation.status === "InProgress") {
      operation.pollsLeft -= 1;
      if (operation.pollsLeft <= 0) this.#finish(operation);
    }
    return monitor ? this.#monitorResponse(operation) : this.#statusResponse(operation);
  }

  /** Finishes every running operation now, as if it had been polled to the end. */
  settle(): void {
    for (const operation of this.#operations.values()) {
      if (operation.status === "InProgress") this.#finish(operation);
    }
  }

  get running(): number {
    return [...this.#operations.values()].filter((o) => o.status === "InProgress").length;
  }

  /** ARM forgets finished operations after a while; a long-running simulator must not grow forever. */
  #forgetOldest(): void {
    if (this.#operations.size < maxRemembered) return;
    for (const [id, operation] of this.#operations) {
      if (this.#operations.size < maxRemembered / 2) break;
      if (operation.status !== "InProgress") this.#operations.delete(id);
    }
  }

  #finish(operation: Operation): void {
    operation.endTime = this.#config.clock();
    if (operation.injectedFailure !== undefined) {
      operation.work.fail();
      operation.status = "Failed";
      operation.error = { ...operation.injectedFailure };
      operation.errorStatus = 500;
      return;
    }
    try {
      operation.output = operation.work.complete();
      operation.status = "Succeeded";
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      operation.work.fail();
      operation.status = "Failed";
      operation.error = error.toBody().error;
      operation.errorStatus = error.status;
    }
  }

  #statusResponse(operation: Operation): ArmResponse {
    const body: Record<string, unknown> = {
      name: operation.id,
      status: operation.status,
      startTime: operation.startTime.toISOString(),
    };
    if (operation.endTime !== undefined) body.endTime = operation.endTime.toISOString();
    if (operation.status === "Succeeded" && operation.output !== undefined) {
      body.properties = { output: operation.output };
    }
    if (operation.error !== undefined) body.error = operation.error;
    const headers: Record<string, string> =
      operation.status === "InProgress" ? { "retry-after": String(this.#config.retryAfterSeconds) } : {};
    return { status: 200, body, headers };
  }

  #monitorResponse(operation: Operation): ArmResponse {
    switch (operation.status) {
      case "InProgress":
        return {
          status: 202,
          headers: {
            location: `${operation.statusUrl}&monitor=true`,
            "retry-after": String(this.#config.retryAfterSeconds),
          },
        };
      case "Succeeded":
        return operation.output === undefined ? { status: 200 } : { status: 200, body: operation.output };
      case "Failed":
        return { status: operation.errorStatus ?? 500, body: { error: operation.error } };
    }
  }
}
