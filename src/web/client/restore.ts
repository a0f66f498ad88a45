// The restore form: recovery point, target cluster, namespaces, conflict policy and namespace
// mappings; "Preview (dry run)" starts a dry-run restore and shows what it would create or skip,
// "Restore" starts the real one and shows how it went. The server validates; its errors are shown.
import type { Job } from "../../api/jobs.js";
import type { RestoreRequestInput } from "../../model/restore-request.js";
import type { RestoreResult } from "../../restore/result.js";
import type { Api } from "./api.js";
import { browser, button, byId, type Control, control, type DomElement, h, table } from "./dom.js";
import { seconds, state } from "./format.js";
import type { CenterState } from "./state.js";

interface RestoreView extends Job {
  result: RestoreResult | null;
}

export interface RestoreForm {
  update(view: CenterState): void;
  choose(recoveryPointId: string): void;
}

export interface RestoreHooks {
  announce(message: string): void;
  /** A restore job started: the page refreshes its jobs. */
  started(): void;
}

const SHOWN_ITEMS = 300;
const WOULD: Record<string, string> = {
  created: "would be created",
  patched: "would be patched",
  skipped: "would be skipped",
  failed: "would fail",
};
const POLL_MS = 500;
const WAIT_MS = 120_000;

export function setupRestoreForm(api: Api, hooks: RestoreHooks): RestoreForm {
  const point = control("restore-point");
  const target = control("restore-target");
  const namespaces = control("restore-namespaces");
  const conflict = control("restore-conflict");
  const mappings = byId("mappings");
  const output = byId("restore-result");
  const actions = [control("preview"), control("restore")];
  let rows = 0;

  const addMapping = (): Control => {
    rows++;
    const from = h("input", { id: `mapping-from-${rows}`, autocomplete: "off", "data-mapping": "from" });
    const to = h("input", { id: `mapping-to-${rows}`, autocomplete: "off", "data-mapping": "to" });
    const row = h(
      "div",
      { class: "mapping" },
      h("p", {}, h("label", { for: `mapping-from-${rows}` }, `Mapping ${rows}: from namespace`), from),
      h("p", {}, h("label", { for: `mapping-to-${rows}` }, `Mapping ${rows}: to namespace`), to),
    );
    row.append(button("Remove", () => row.remove(), { "aria-label": `Remove mapping ${rows}` }));
    mappings.append(row);
    return from as Control;
  };
  byId("add-mapping").addEventListener("click", () => addMapping().focus());
  addMapping();

  const request = (dryRun: boolean): RestoreRequestInput => {
    const namespaceMappings: Record<string, string> = {};
    for (const row of Array.from(mappings.querySelectorAll(".mapping"))) {
      const [from, to] = Array.from(row.querySelectorAll("input")) as Control[];
      const source = from?.value.trim() ?? "";
      if (source !== "" || to?.value.trim()) namespaceMappings[source] = to?.value.trim() ?? "";
    }
    const included = namespaces.value
      .split(/[\s,]+/)
      .map((name) => name.trim())
      .filter(Boolean);
    return {
      recoveryPointId: point.value,
      ...(target.value ? { targetCluster: target.value } : {}),
      ...(included.length > 0 ? { includedNamespaces: included } : {}),
      conflictPolicy: conflict.value === "Patch" ? "Patch" : "Skip",
      namespaceMappings,
      dryRun,
    };
  };

  const run = async (dryRun: boolean) => {
    for (const action of actions) action.disabled = true;
    output.replaceChildren(h("p", {}, dryRun ? "Preparing the preview…" : "Starting the restore…"));
    try {
      const accepted = await api.post<{ id: string }>("restores", request(dryRun));
      hooks.started();
      hooks.announce(dryRun ? "Dry run started; the preview follows." : `Restore ${accepted.id} started.`);
      const finished = await waitFor(api, accepted.id);
      output.replaceChildren(renderRestore(finished));
      hooks.announce(summary(finished));
      hooks.started();
    } catch (error) {
      output.replaceChildren(
        h("p", { class: "state-Failed", role: "alert" }, `✗ ${(error as Error).message}`),
      );
      hooks.announce(`The ${dryRun ? "preview" : "restore"} could not run.`);
    } finally {
      for (const action of actions) action.disabled = false;
      output.focus();
    }
  };
  byId("restore-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void run(true);
  });
  byId("restore").addEventListener("click", () => void run(false));

  return {
    update(view) {
      const restorable = [...view.points.values()]
        .flat()
        .filter((p) => p.status !== "Failed" && p.archive !== undefined)
        .sort((a, b) => b.startTime.localeCompare(a.startTime));
      replaceOptions(
        point,
        restorable.map((p) => [p.id, `${p.id} (${p.cluster}, ${p.totalItems} items)`]),
      );
      replaceOptions(target, [
        ["", "The cluster it was taken of"],
        ...view.clusters.map((cluster): [string, string] => [cluster.name, cluster.name]),
      ]);
    },
    choose(recoveryPointId) {
      point.value = recoveryPointId;
      point.focus();
    },
  };
}

/** Replaces a select's options, keeping the chosen value when it is still offered. */
function replaceOptions(select: Control, options: ReadonlyArray<[string, string]>): void {
  const chosen = select.value;
  select.replaceChildren(...options.map(([value, label]) => h("option", { value }, label)));
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

async function waitFor(api: Api, id: string): Promise<RestoreView> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const view = await api.get<RestoreView>(`restores/${encodeURIComponent(id)}`);
    if (view.status !== "InProgress") return view;
    if (Date.now() > deadline) throw new Error(`restore ${id} is still running; follow it under Jobs`);
    await new Promise<void>((resolve) => browser.setTimeout(resolve, POLL_MS));
  }
}

function summary(view: RestoreView): string {
  const counts = view.result?.counts;
  const what = view.result?.dryRun ? "Preview ready" : `Restore ${view.status}`;
  return counts
    ? `${what}: ${counts.created} to create, ${counts.patched} to patch, ${counts.skipped} skipped, ${counts.failed} failed.`
    : `${what}.`;
}

function renderRestore(view: RestoreView): DomElement {
  const result = view.result;
  const dryRun = result?.dryRun ?? false;
  const title = dryRun ? "Preview: what a restore would do" : "Restore result";
  if (!result) {
    return h(
      "article",
      { "data-restore": view.id },
      h("h3", {}, title),
      h("p", {}, state(view.status), " ", view.error ?? "no result was recorded"),
    );
  }
  const counts = result.counts;
  const verb = (outcome: string) => (dryRun ? (WOULD[outcome] ?? outcome) : outcome);
  const items = result.items.slice(0, SHOWN_ITEMS);
  return h(
    "article",
    { "data-restore": view.id, "data-dry-run": String(dryRun) },
    h("h3", {}, title),
    h(
      "p",
      {},
      state(result.status),
      ` ${counts.total} items: ${counts.created} ${verb("created")}, ${counts.patched} ${verb("patched")}, ` +
        `${counts.skipped} ${verb("skipped")}, ${counts.failed} ${verb("failed")}; ${result.unselected} not selected; ` +
        `${seconds(result.durationMs)}.`,
    ),
    result.warnings.length === 0
      ? ""
      : h("ul", { class: "messages" }, ...result.warnings.map((warning) => h("li", {}, warning))),
    table(
      dryRun ? "Items and what would happen to them" : "Items and what happened to them",
      ["Outcome", "Kind", "Namespace", "Name", "Reason"],
      items.map((item) =>
        h(
          "tr",
          { "data-outcome": item.outcome },
          h("td", {}, verb(item.outcome)),
          h("td", {}, item.kind || item.resource),
          h("td", {}, item.namespace ?? ""),
          h("th", { scope: "row" }, item.name),
          h("td", {}, item.reason ?? ""),
        ),
      ),
    ),
    result.items.length > SHOWN_ITEMS
      ? h("p", { class: "muted" }, `Showing ${SHOWN_ITEMS} of ${result.items.length} items.`)
      : "",
  );
}
