// The backup center's entry module: loads everything the page shows from the API, renders the
// sections, follows running jobs every few seconds (re-reading the rest when one ends, and every 30 s
// otherwise), and wires the actions. Status changes are announced in the page's live region.
import type { RecoveryPointManifest } from "../../model/recovery-point.js";
import { ApiCallError, connectApi } from "./api.js";
import { renderCharts } from "./chart.js";
import { browser, byId, type DomElement, h } from "./dom.js";
import { state, time } from "./format.js";
import { renderInstances } from "./instances.js";
import { renderJobs } from "./jobs.js";
import { type PointActions, renderPointDetails, renderPoints } from "./points.js";
import { setupRestoreForm } from "./restore.js";
import { type CenterState, loadJobs, loadState } from "./state.js";

const BUSY_REFRESH_MS = 2_000;
const IDLE_REFRESH_MS = 30_000;

const api = connectApi();
const status = byId("status");
const alertBox = byId("alert");
let view: CenterState | undefined;
let selected: string | undefined;
let running: Promise<void> | undefined;
let again = false;
let announceAgain = false;
let timer: number | undefined;

const announce = (message: string) => {
  status.textContent = message;
};

const failed = (what: string, error: unknown) => {
  const detail = error instanceof Error ? error.message : String(error);
  alertBox.replaceChildren(h("p", {}, `✗ ${what}: ${detail}`));
};

const pointActions: PointActions = {
  selectInstance(name) {
    selected = name;
    if (view) byId("points").replaceChildren(renderPoints(view.points, selected, pointActions));
  },
  async showDetails(id) {
    try {
      const point = await api.get<RecoveryPointManifest>(`recovery-points/${encodeURIComponent(id)}`);
      const details = byId("point-details");
      details.replaceChildren(renderPointDetails(point, pointActions));
      details.focus();
    } catch (error) {
      failed(`cannot read recovery point ${id}`, error);
    }
  },
  restoreFrom(id) {
    restoreForm.choose(id);
    announce(`Recovery point ${id} chosen for a restore.`);
  },
};

/** From an instance's row to its recovery points, focus included, so keyboard users land there. */
function showPoints(name: string): void {
  pointActions.selectInstance(name);
  browser.document.getElementById("points-instance")?.focus();
}

const restoreForm = setupRestoreForm(api, { announce, started: () => refresh() });

async function backUp(name: string): Promise<void> {
  try {
    const accepted = await api.post<{ id: string }>(
      `backup-instances/${encodeURIComponent(name)}/backup`,
      {},
    );
    announce(`Backup of ${name} started (${accepted.id}).`);
    refresh();
  } catch (error) {
    failed(`cannot start a backup of ${name}`, error);
  }
}

function render(next: CenterState): void {
  const names = [...next.points.keys()];
  // Protected instances come first; data an instance left behind is one choice away.
  if (selected === undefined || !names.includes(selected)) selected = next.instances[0]?.name ?? names[0];
  keepingFocus(() => {
    byId("overall").replaceChildren(overall(next));
    byId("instances").replaceChildren(
      renderInstances(next, { backup: (name) => void backUp(name), showPoints }),
    );
    byId("jobs").replaceChildren(renderJobs(next.jobs));
    byId("points").replaceChildren(renderPoints(next.points, selected, pointActions));
    byId("charts").replaceChildren(renderCharts(next.points));
    restoreForm.update(next);
  });
}

function overall(next: CenterState): DomElement {
  const storage = next.health.storage.reachable ? "storage reachable" : "storage unreachable";
  return h(
    "span",
    {},
    "Overall: ",
    state(next.health.status),
    ` · ${storage} · updated ${time(new Date().toISOString())}`,
    next.health.notice ? ` · ${next.health.notice}` : "",
  );
}

// Sections are rebuilt on each refresh; whoever was on a button or field stays on its twin.
function keepingFocus(rebuild: () => void): void {
  const active = browser.document.querySelector(":focus");
  const key = active?.getAttribute("id")
    ? `#${active.getAttribute("id")}`
    : active?.getAttribute("aria-label");
  rebuild();
  if (!key || browser.document.querySelector(":focus")) return;
  const twin = key.startsWith("#")
    ? browser.document.getElementById(key.slice(1))
    : browser.document.querySelector(`[aria-label="${key.replace(/["\\]/g, "\\$&")}"]`);
  twin?.focus();
}

const runningIds = (jobs: CenterState["jobs"]) =>
  new Set(jobs.filter((job) => job.status === "InProgress").map((job) => job.id));

/**
 * While jobs run, only the jobs are read (health and usage read every manifest and blob); once one
 * of them ends, or a new one starts, everything is reloaded.
 */
async function followJobs(): Promise<void> {
  const current = view;
  if (!current) return refresh();
  try {
    const jobs = await loadJobs(api);
    // A full reload started meanwhile (a click, a started backup) brings newer everything.
    if (running || view !== current) return;
    const before = runningIds(current.jobs);
    const after = runningIds(jobs);
    const same = before.size === after.size && [...after].every((id) => before.has(id));
    if (!same) return refresh();
    view = { ...current, jobs };
    keepingFocus(() => byId("jobs").replaceChildren(renderJobs(jobs)));
    schedule();
  } catch {
    refresh();
  }
}

/** Reloads everything; calls during a reload make one more reload after it. */
function refresh(announceDone = false): void {
  if (running) {
    again = true;
    announceAgain ||= announceDone;
    return;
  }
  running = (async () => {
    try {
      view = await loadState(api);
      alertBox.replaceChildren();
      render(view);
      if (announceDone) announce("Up to date.");
    } catch (error) {
      const unauthorized = error instanceof ApiCallError && error.status === 401;
      failed(
        unauthorized
          ? "the API wants a function key (open the page with #code=<key>)"
          : "cannot load the backup center",
        error,
      );
    } finally {
      running = undefined;
      if (again) {
        const announceNext = announceAgain;
        again = false;
        announceAgain = false;
        refresh(announceNext);
      } else {
        schedule();
      }
    }
  })();
}

function schedule(): void {
  if (timer !== undefined) browser.clearTimeout(timer);
  const busy = view?.jobs.some((job) => job.status === "InProgress") ?? false;
  timer = busy
    ? browser.setTimeout(() => void followJobs(), BUSY_REFRESH_MS)
    : browser.setTimeout(() => refresh(), IDLE_REFRESH_MS);
}

byId("refresh").addEventListener("click", () => {
  announce("Refreshing…");
  refresh(true);
});
refresh();
