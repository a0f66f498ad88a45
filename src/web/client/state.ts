// What the page knows after one round of API calls, in the API's own shapes (type-only imports of
// the server's types, erased from the browser code), read in parallel.
import type { Job } from "../../api/jobs.js";
import type { InstanceHealth, UsageReport } from "../../health/report.js";
import type { BackupInstance } from "../../model/backup-instance.js";
import type { Cluster } from "../../model/cluster.js";
import type { RecoveryPointManifest } from "../../model/recovery-point.js";
import type { Api } from "./api.js";
import { JOBS_DAYS, JOBS_SHOWN } from "./jobs.js";

export interface HealthBody {
  status: string;
  mode: string;
  notice?: string;
  storage: { reachable: boolean; container?: boolean; detail?: string };
  instances: InstanceHealth[];
}

/** A job as listed, with why it did not fully succeed when its output says so. */
export interface CenterJob extends Job {
  outcome?: string;
}

export interface CenterState {
  health: HealthBody;
  usage: UsageReport;
  instances: BackupInstance[];
  clusters: Cluster[];
  jobs: CenterJob[];
  /** Every instance with data or a definition, by name, newest point first. */
  points: Map<string, RecoveryPointManifest[]>;
}

interface List<T> {
  value: T[];
}

export async function loadState(api: Api): Promise<CenterState> {
  const [health, usage, instances, clusters, jobs] = await Promise.all([
    api.get<HealthBody>("health"),
    api.get<UsageReport>("usage"),
    api.get<List<BackupInstance>>("backup-instances"),
    api.get<List<Cluster>>("clusters"),
    api.get<List<Job>>(jobsPath()),
  ]);
  const names = [
    ...new Set([...instances.value.map((i) => i.name), ...usage.instances.map((u) => u.name)]),
  ].sort();
  const lists = await Promise.all(
    names.map((name) =>
      api.get<List<RecoveryPointManifest>>(`backup-instances/${encodeURIComponent(name)}/recovery-points`),
    ),
  );
  const points = new Map(names.map((name, index) => [name, lists[index]?.value ?? []]));
  const listed = await withOutcomes(api, jobs.value);
  return { health, usage, instances: instances.value, clusters: clusters.value, jobs: listed, points };
}

const UNSUCCESSFUL = new Set(["Failed", "PartiallySucceeded", "Skipped"]);
/** Finished jobs never change, so each one's output is read once per page load. */
const outcomes = new Map<string, string | undefined>();

// The job list carries an error only for a crashed orchestration; a backup or restore that ended
// Failed, PartiallySucceeded or Skipped says why in its output, read from `GET /api/jobs/{id}`.
async function withOutcomes(api: Api, jobs: readonly Job[]): Promise<CenterJob[]> {
  const wanted = jobs
    .slice(0, JOBS_SHOWN)
    .filter((job) => UNSUCCESSFUL.has(job.status) && !job.error && !outcomes.has(job.id));
  await Promise.all(
    wanted.map(async (job) => {
      try {
        const detail = await api.get<{ output: unknown }>(`jobs/${encodeURIComponent(job.id)}`);
        outcomes.set(job.id, outcomeText(detail.output));
      } catch {
        // Purged since it was listed, or not readable now: the row just shows no reason.
      }
    }),
  );
  return jobs.map((job) => {
    const outcome = outcomes.get(job.id);
    return outcome ? { ...job, outcome } : job;
  });
}

function outcomeText(output: unknown): string | undefined {
  if (typeof output !== "object" || output === null) return undefined;
  const fields = output as { reason?: unknown; errors?: unknown; counts?: { failed?: unknown } };
  if (typeof fields.reason === "string") return fields.reason;
  if (typeof fields.counts?.failed === "number" && fields.counts.failed > 0) {
    return `${fields.counts.failed} items failed; the restore's result lists them`;
  }
  if (typeof fields.errors === "number" && fields.errors > 0) {
    return `${fields.errors} errors; the recovery point's details list them`;
  }
  return undefined;
}

// The newest jobs of the last JOBS_DAYS days, one more than shown to know whether there are more:
// the API then reads only those from the orchestration store, however long its history.
function jobsPath(): string {
  const since = new Date(Date.now() - JOBS_DAYS * 86_400_000).toISOString();
  return `jobs?createdFrom=${encodeURIComponent(since)}&top=${JOBS_SHOWN + 1}`;
}

/** The jobs alone, for following running ones without reading health, usage and every point. */
export async function loadJobs(api: Api): Promise<CenterJob[]> {
  return withOutcomes(api, (await api.get<List<Job>>(jobsPath())).value);
}
