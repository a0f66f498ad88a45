// The jobs table: newest first, each with its status, its progress (the orchestration's custom
// status: phase and counts) and, for a failed one, the error.
import { type DomElement, h, table } from "./dom.js";
import { seconds, state, time } from "./format.js";
import type { CenterJob } from "./state.js";

export const JOBS_SHOWN = 50;
/** How far back the table looks. */
export const JOBS_DAYS = 7;

export function renderJobs(jobs: readonly CenterJob[]): DomElement {
  if (jobs.length === 0) return h("p", {}, `No jobs in the last ${JOBS_DAYS} days.`);
  const rows = jobs.slice(0, JOBS_SHOWN).map((job) => {
    const took = Date.parse(job.lastUpdatedTime) - Date.parse(job.createdTime);
    return h(
      "tr",
      { "data-job": job.id },
      h("td", {}, job.type),
      h("td", {}, job.instance ?? ""),
      h("td", { "data-status": job.status }, state(job.status)),
      h("td", {}, progressText(job.progress)),
      h("td", {}, time(job.createdTime)),
      h("td", { class: "num" }, Number.isFinite(took) ? seconds(took) : ""),
      h("td", {}, job.recoveryPointId ?? ""),
      h("td", { class: "error" }, job.error ?? job.outcome ?? ""),
    );
  });
  return h(
    "div",
    {},
    table(
      "Backup, restore, retention and schedule jobs, newest first",
      [
        "Type",
        "Instance",
        "Status",
        "Progress",
        "Started",
        { label: "Duration", numeric: true },
        "Recovery point",
        "Error or reason",
      ],
      rows,
    ),
    jobs.length > JOBS_SHOWN
      ? h(
          "p",
          { class: "muted" },
          `Showing the newest ${JOBS_SHOWN} jobs of the last ${JOBS_DAYS} days; GET /api/jobs lists them all.`,
        )
      : "",
  );
}

/** `phase: done · items: 42`: the custom status's plain fields, in its own order. */
export function progressText(progress: unknown): string {
  if (typeof progress !== "object" || progress === null || Array.isArray(progress)) {
    return progress === undefined || progress === null ? "" : String(progress);
  }
  return Object.entries(progress)
    .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(" · ");
}
