// The instances table: each protected cluster's health with the reasons, its last and next backup,
// what its recovery points hold in storage, and the actions on it.
import { button, type DomElement, h, table } from "./dom.js";
import { bytes, state, time } from "./format.js";
import type { CenterState } from "./state.js";

export interface InstanceActions {
  backup(name: string): void;
  showPoints(name: string): void;
}

export function renderInstances(view: CenterState, actions: InstanceActions): DomElement {
  const healthOf = new Map(view.health.instances.map((entry) => [entry.name, entry]));
  const usageOf = new Map(view.usage.instances.map((entry) => [entry.name, entry]));
  const names = [...view.points.keys()];
  if (names.length === 0) return h("p", {}, "No backup instances yet.");
  const rows = names.map((name) => {
    const definition = view.instances.find((instance) => instance.name === name);
    const health = healthOf.get(name);
    const usage = usageOf.get(name);
    const reasons = health?.reasons ?? [];
    return h(
      "tr",
      { "data-instance": name },
      h("th", { scope: "row" }, name),
      h("td", {}, definition?.cluster ?? ""),
      h("td", {}, definition?.policy ?? "protection stopped"),
      h("td", { "data-health": health?.status ?? "" }, health ? state(health.status) : "—"),
      h(
        "td",
        {},
        reasons.length === 0
          ? ""
          : h("ul", { class: "messages" }, ...reasons.map((reason) => h("li", {}, reason.message))),
      ),
      h("td", {}, time(health?.lastSuccessfulBackup?.startTime) || "never"),
      h("td", {}, time(health?.nextBackup)),
      h("td", { class: "num" }, usage?.recoveryPoints ?? view.points.get(name)?.length ?? 0),
      h("td", { class: "num", "data-blob-bytes": usage?.blobBytes ?? 0 }, bytes(usage?.blobBytes ?? 0)),
      h("td", { class: "num" }, usage?.snapshots.count ?? 0),
      h(
        "td",
        {},
        definition
          ? button("Back up now", () => actions.backup(name), { "aria-label": `Back up ${name} now` })
          : "",
        " ",
        button("Recovery points", () => actions.showPoints(name), {
          "aria-label": `Show recovery points of ${name}`,
        }),
      ),
    );
  });
  return table(
    "Backup instances with their protection health",
    [
      "Instance",
      "Cluster",
      "Policy",
      "Health",
      "Reasons",
      "Last successful backup",
      "Next backup",
      { label: "Recovery points", numeric: true },
      { label: "Storage used", numeric: true },
      { label: "Snapshots", numeric: true },
      "Actions",
    ],
    rows,
  );
}
