// The demo's directory: cleared on every start (the simulated cluster lives in memory, so older
// recovery points would name disks and snapshots that no longer exist), but only when a marker
// file shows it is a demo directory, and never while another demo process is using it.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const DEMO_MARKER = ".aks-backup-demo";

interface Marker {
  /** The process running the demo; absent once it stopped. */
  pid?: number;
}

/** Empties `dir` (creating it) and claims it for this process; throws if it is not ours to clear. */
export async function resetDemoDirectory(dir: string, shown: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
      throw new Error(
        `${shown} exists and is not a demo directory (no ${DEMO_MARKER} file in it); demo mode clears its directory on every start, so move ${shown} away or choose another directory`,
      );
    }
    const running = await runningPid(dir);
    if (running !== undefined) {
      throw new Error(
        `a demo is already running from ${shown} (process ${running}); stop it first (Ctrl-C) or choose another directory`,
      );
    }
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeMarker(dir, { pid: process.pid });
}

/** Marks the directory as no longer in use (the files stay for a look after the demo). */
export async function releaseDemoDirectory(dir: string): Promise<void> {
  if (existsSync(dir)) await writeMarker(dir, {});
}

async function writeMarker(dir: string, marker: Marker): Promise<void> {
  const text = [
    "# Written by aks-backup demo mode: this directory is cleared on every demo start.",
    JSON.stringify(marker),
    "",
  ].join("\n");
  await writeFile(join(dir, DEMO_MARKER), text);
}

async function runningPid(dir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, DEMO_MARKER), "utf8");
  } catch {
    return undefined;
  }
  const line = text.split("\n").find((l) => l.startsWith("{"));
  let marker: Marker = {};
  try {
    marker = line ? (JSON.parse(line) as Marker) : {};
  } catch {
    return undefined;
  }
  return typeof marker.pid === "number" && isAlive(marker.pid) ? marker.pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
