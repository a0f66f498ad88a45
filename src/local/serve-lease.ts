// One `aks-backup serve` per storage container: each resumes the unfinished orchestrations it finds
// and runs the schedule, so two would drive the same jobs twice and overwrite each other's state.
// The first holds a blob lease (renewed while it runs); a second is refused with who holds it. A
// holder that died on this machine is recognised by its pid and its lease broken at once; one on
// another machine lapses within the lease's duration.
import { hostname } from "node:os";
import { type ContainerClient, RestError } from "@azure/storage-blob";

export const SERVE_LEASE_BLOB = "runtime/serve.lease";
/** Azure allows 15 to 60 s for a finite lease. */
const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;
/** No lease call may hold up starting or stopping for longer (a storage that stopped answering). */
const CALL_TIMEOUT_MS = 10_000;
const bounded = () => ({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });

export class ServeLeaseError extends Error {
  override name = "ServeLeaseError";
}

export interface ServeLease {
  release(): Promise<void>;
}

export interface ServeLeaseOptions {
  /** Told when a renewal fails (the storage was unreachable, or someone broke the lease). */
  warn?: (message: string) => void;
  /** This process, as recorded on the lease blob (tests pretend to be another). */
  pid?: number;
  host?: string;
  isAlive?: (pid: number) => boolean;
  now?: () => Date;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

export async function acquireServeLease(
  container: ContainerClient,
  options: ServeLeaseOptions = {},
): Promise<ServeLease> {
  const me: Holder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    since: (options.now?.() ?? new Date()).toISOString(),
  };
  const blob = container.getBlockBlobClient(SERVE_LEASE_BLOB);
  try {
    await blob.upload("", 0, { conditions: { ifNoneMatch: "*" }, ...bounded() });
  } catch (error) {
    // 409 (leased) or 412 (exists): the blob is there, which is all we need.
    if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))) throw error;
  }
  const lease = blob.getBlobLeaseClient();
  try {
    await lease.acquireLease(LEASE_SECONDS, bounded());
  } catch (error) {
    if (!(error instanceof RestError && error.statusCode === 409)) throw error;
    const holder = holderOf((await blob.getProperties(bounded())).metadata ?? {});
    const alive = options.isAlive ?? processAlive;
    if (!holder || holder.host !== me.host || alive(holder.pid)) {
      throw new ServeLeaseError(
        `another aks-backup serve ${describe(holder)} runs against container "${container.containerName}" of this storage; ` +
          "two would both resume and schedule the same jobs. Stop it, or give this one another container " +
          `(storage.container). A serve stopped abruptly on another machine lets go within ${LEASE_SECONDS} s.`,
      );
    }
    // Its process is gone from this machine: nobody renews that lease, so take it over now.
    await lease.breakLease(0, bounded());
    await lease.acquireLease(LEASE_SECONDS, bounded());
  }
  await blob.setMetadata(
    { pid: String(me.pid), host: me.host, since: me.since },
    { conditions: { leaseId: lease.leaseId }, ...bounded() },
  );
  const renew = setInterval(() => {
    lease.renewLease(bounded()).catch((error: unknown) => {
      options.warn?.(
        `aks-backup serve: cannot renew its claim on container "${container.containerName}": ${(error as Error).message}`,
      );
    });
  }, RENEW_EVERY_MS);
  renew.unref();
  return {
    async release() {
      clearInterval(renew);
      // Not released (storage gone): it lapses by itself within LEASE_SECONDS.
      await lease.releaseLease(bounded()).catch(() => undefined);
    },
  };
}

function holderOf(metadata: Record<string, string>): Holder | undefined {
  const pid = Number(metadata.pid);
  if (!Number.isInteger(pid) || pid <= 0 || !metadata.host) return undefined;
  return { pid, host: metadata.host, since: metadata.since ?? "" };
}

function describe(holder: Holder | undefined): string {
  return holder ? `(pid ${holder.pid} on ${holder.host}, since ${holder.since})` : "(starting up)";
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
