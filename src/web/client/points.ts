// Recovery points of one instance, and one point's content: items per type, volume snapshots,
// warnings and errors, as its manifest records them.
import type { ItemMessage, RecoveryPointManifest } from "../../model/recovery-point.js";
import { button, type Control, type DomElement, h, table } from "./dom.js";
import { bytes, seconds, state, time } from "./format.js";

export interface PointActions {
  selectInstance(name: string): void;
  showDetails(id: string): void;
  restoreFrom(id: string): void;
}

export function renderPoints(
  points: ReadonlyMap<string, readonly RecoveryPointManifest[]>,
  selected: string | undefined,
  actions: PointActions,
): DomElement {
  const names = [...points.keys()];
  if (names.length === 0 || selected === undefined) return h("p", {}, "No recovery points yet.");
  const picker = h(
    "select",
    { id: "points-instance" },
    ...names.map((name) => h("option", { value: name, selected: name === selected }, name)),
  ) as Control;
  picker.addEventListener("change", () => actions.selectInstance(picker.value));
  const list = points.get(selected) ?? [];
  const rows = list.map((point) =>
    h(
      "tr",
      { "data-point": point.id },
      h("th", { scope: "row" }, point.id),
      h("td", {}, time(point.startTime)),
      h("td", {}, point.trigger),
      h("td", {}, state(point.status)),
      h("td", { class: "num" }, point.totalItems),
      h("td", { class: "num" }, point.archive ? bytes(point.archive.sizeBytes) : "—"),
      h("td", { class: "num" }, point.volumeSnapshots.length),
      h("td", { class: "num" }, point.warnings.length),
      h("td", { class: "num" }, point.errors.length),
      h(
        "td",
        {},
        button("Details", () => actions.showDetails(point.id), { "aria-label": `Details of ${point.id}` }),
      ),
    ),
  );
  return h(
    "div",
    {},
    h("p", {}, h("label", { for: "points-instance" }, "Instance"), picker),
    list.length === 0
      ? h("p", {}, `${selected} has no recovery points yet.`)
      : table(
          `Recovery points of ${selected}, newest first`,
          [
            "Recovery point",
            "Taken",
            "Trigger",
            "Status",
            { label: "Items", numeric: true },
            { label: "Archive", numeric: true },
            { label: "Volumes", numeric: true },
            { label: "Warnings", numeric: true },
            { label: "Errors", numeric: true },
            "Content",
          ],
          rows,
        ),
  );
}

export function renderPointDetails(point: RecoveryPointManifest, actions: PointActions): DomElement {
  const facts: Array<[string, string | DomElement]> = [
    ["Instance", point.instance],
    ["Cluster", point.cluster],
    ["Kubernetes version", point.kubernetesVersion ?? "unknown"],
    ["Status", state(point.status)],
    ["Trigger", point.trigger],
    ["Started", time(point.startTime)],
    ["Took", seconds(Date.parse(point.endTime) - Date.parse(point.startTime))],
    [
      "Archive",
      point.archive ? `${bytes(point.archive.sizeBytes)}, SHA-256 ${point.archive.sha256}` : "none",
    ],
  ];
  const counts = Object.entries(point.itemCounts).sort(([a], [b]) => a.localeCompare(b));
  return h(
    "article",
    { "aria-labelledby": "point-details-title" },
    h("h3", { id: "point-details-title" }, `Recovery point ${point.id}`),
    h("dl", {}, ...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    table(
      `Items by type (${point.totalItems} in all)`,
      ["Type", { label: "Items", numeric: true }],
      counts.map(([type, count]) =>
        h("tr", {}, h("th", { scope: "row" }, type), h("td", { class: "num" }, count)),
      ),
    ),
    point.volumeSnapshots.length === 0
      ? h("p", {}, "No volume snapshots.")
      : table(
          "Volume snapshots",
          [
            "Claim",
            "Volume",
            { label: "Size", numeric: true },
            "Zone",
            { label: "Copied", numeric: true },
            "Problem",
          ],
          point.volumeSnapshots.map((volume) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, volume.pvc),
              h("td", {}, volume.pv),
              h("td", { class: "num" }, `${volume.sizeGiB} GiB`),
              h("td", {}, volume.zone ?? ""),
              h("td", { class: "num" }, `${volume.completionPercent}%`),
              h("td", {}, volume.error ?? ""),
            ),
          ),
        ),
    messages("Warnings", point.warnings),
    messages("Errors", point.errors),
    point.status === "Failed" || !point.archive
      ? ""
      : button("Restore from this point", () => actions.restoreFrom(point.id)),
  );
}

function messages(title: string, list: readonly ItemMessage[]): DomElement {
  if (list.length === 0) return h("p", {}, `${title}: none.`);
  return h(
    "div",
    { "data-messages": title.toLowerCase() },
    h("h4", {}, `${title} (${list.length})`),
    h(
      "ul",
      { class: "messages" },
      ...list.map((message) => {
        const where = [message.namespace, message.type, message.name].filter(Boolean).join(" ");
        return h("li", {}, where ? `${where}: ${message.message}` : message.message);
      }),
    ),
  );
}
