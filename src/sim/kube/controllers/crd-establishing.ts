// Mimics the apiextensions-apiserver establishing controller: a CRD whose names were accepted
// becomes Established after `crdEstablishDelayMs`, the time a real server takes to serve it.
import { findCondition, setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";
import { crdStatus } from "./crd-naming.js";

export const crdEstablishingController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, options } = context;
  const waiting = new Set<string>();

  const queue = context.queue("crd-establishing", (name) => {
    waiting.delete(name);
    const crd = store.get(types.crds, undefined, name);
    if (!crd || crd.metadata?.deletionTimestamp) return;
    const status = crdStatus(crd);
    if (findCondition(status.conditions, "NamesAccepted")?.status !== "True") return;
    if (findCondition(status.conditions, "Established")?.status === "True") return;
    crd.status = {
      ...status,
      conditions: setCondition(status.conditions, {
        type: "Established",
        status: "True",
        lastTransitionTime: context.now(),
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
      }),
    };
    store.updateStatus(types.crds, crd);
  });

  return {
    name: "crd-establishing",
    watches: [typeKey(types.crds)],
    observe(event) {
      const name = event.object.metadata?.name ?? "";
      if (event.type === "DELETED" || waiting.has(name)) return;
      const conditions = crdStatus(event.object).conditions;
      if (findCondition(conditions, "NamesAccepted")?.status !== "True") return;
      if (findCondition(conditions, "Established")?.status === "True") return;
      waiting.add(name);
      if (options.crdEstablishDelayMs <= 0) queue.add(name);
      else context.after(options.crdEstablishDelayMs, () => queue.add(name));
    },
  };
};
