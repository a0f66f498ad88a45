// The OrchestrationClient over durable-functions' DurableClient, for the triggers that run in the
// Functions host (timers, HTTP, Event Grid). Locally the in-process runtime plays the same part.
import type * as df from "durable-functions";
import {
  ACTIVE_STATUSES,
  InstanceExistsError,
  type InstanceFilter,
  type OrchestrationClient,
  type OrchestrationStatus,
  type RuntimeStatus,
} from "./client.js";

export function durableOrchestrationClient(client: df.DurableClient): OrchestrationClient {
  const getStatus = async (instanceId: string): Promise<OrchestrationStatus | undefined> => {
    try {
      return statusOf(await client.getStatus(instanceId, { showInput: true }));
    } catch (error) {
      // The client throws on the extension's 404 instead of returning nothing.
      if (error instanceof Error && /HTTP 404/.test(error.message)) return undefined;
      throw error;
    }
  };
  return {
    async startNew(name, options) {
      // host.json sets overridableExistingInstanceStates to NonRunningStates, so the extension
      // refuses a running id too; asking first gives the caller a clear error instead of a 500.
      const existing = await getStatus(options.instanceId);
      if (existing && ACTIVE_STATUSES.includes(existing.runtimeStatus)) {
        throw new InstanceExistsError(options.instanceId);
      }
      return client.startNew(name, {
        instanceId: options.instanceId,
        ...(options.input === undefined ? {} : { input: options.input }),
      });
    },
    getStatus,
    async listInstances(filter: InstanceFilter = {}) {
      const found = await client.getStatusBy({
        ...(filter.createdFrom ? { createdTimeFrom: filter.createdFrom } : {}),
        ...(filter.createdTo ? { createdTimeTo: filter.createdTo } : {}),
        ...(filter.runtimeStatus
          ? { runtimeStatus: [...filter.runtimeStatus] as df.OrchestrationRuntimeStatus[] }
          : {}),
      });
      return found.map(statusOf).sort((a, b) => b.createdTime.localeCompare(a.createdTime));
    },
  };
}

function statusOf(status: df.DurableOrchestrationStatus): OrchestrationStatus {
  return {
    instanceId: status.instanceId,
    name: status.name,
    runtimeStatus: status.runtimeStatus as RuntimeStatus,
    input: status.input,
    customStatus: status.customStatus,
    output: status.output,
    createdTime: new Date(status.createdTime).toISOString(),
    lastUpdatedTime: new Date(status.lastUpdatedTime).toISOString(),
  };
}
