// Runs the controllers beside a store: one subscription feeds the shared cache and every controller,
// every served type is listed at start (as informers do), and `idle()` tells when all has settled.
import type { ObjectStore, StoreEvent } from "../api.js";
import { ObjectCache } from "./cache.js";
import {
  type Controller,
  type ControllerContext,
  type ControllerFactory,
  type ControllerOptions,
  resolveOptions,
  rfc3339,
  typeKey,
} from "./context.js";
import { resolveCoreTypes } from "./core-types.js";
import { ServedTypes } from "./served-types.js";
import { Activity, WorkQueue } from "./work-queue.js";

export interface Controllers {
  stop(): void;
  /** Resolves when every queue is empty and no timer (delay, retry) is pending. */
  idle(): Promise<void>;
}

const pageSize = 500;

export function runControllers(
  store: ObjectStore,
  options: ControllerOptions,
  factories: readonly ControllerFactory[],
): Controllers {
  const resolved = resolveOptions(options);
  const activity = new Activity();
  const cache = new ObjectCache();
  const types = resolveCoreTypes(store);
  const served = new ServedTypes(store, cache, typeKey(types.crds));
  const context: ControllerContext = {
    store,
    options: resolved,
    types,
    cache,
    served,
    queue: (name, handler, concurrency) => new WorkQueue(name, handler, activity, resolved.log, concurrency),
    after: (delayMs, callback) => activity.after(delayMs, callback),
    stopped: () => activity.stopped,
    now: () => rfc3339(resolved.clock()),
  };
  const controllers = factories.map((factory) => factory(context));
  const byType = new Map<string, Controller[]>();
  const everyType: Controller[] = [];
  for (const controller of controllers) {
    if (controller.watches === "*") {
      everyType.push(controller);
      continue;
    }
    for (const type of controller.watches) byType.set(type, [...(byType.get(type) ?? []), controller]);
  }

  const dispatch = (event: StoreEvent) => {
    if (activity.stopped) return;
    cache.apply(event);
    for (const controller of byType.get(typeKey(event.resource)) ?? []) deliver(controller, event);
    for (const controller of everyType) deliver(controller, event);
  };
  const deliver = (controller: Controller, event: StoreEvent) => {
    try {
      controller.observe(event);
    } catch (error) {
      resolved.log(
        `${controller.name}: failed to observe ${event.type} ${typeKey(event.resource)}: ${String(error)}`,
      );
    }
  };

  const unsubscribe = store.subscribe(dispatch);
  // CRDs first, so the types they add are known when everything else is listed.
  const listed = new Set<string>();
  for (const type of [types.crds, ...served.all()]) {
    const key = typeKey(type);
    if (listed.has(key)) continue;
    listed.add(key);
    try {
      let token: string | undefined;
      do {
        const page = store.list(type, { limit: pageSize, ...(token ? { continue: token } : {}) });
        for (const object of page.items) dispatch({ type: "ADDED", resource: type, object });
        token = page.continue;
      } while (token);
    } catch (error) {
      resolved.log(`controllers: could not list ${key} at start: ${String(error)}`);
    }
  }

  return {
    stop() {
      unsubscribe();
      activity.stop();
    },
    idle: () => activity.idle(),
  };
}
