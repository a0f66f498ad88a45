// Headless Chromium for the page's end-to-end tests: Debian's `chromium` driven by playwright-core.
// `ensureChromium` finds it, or installs it with apt-get (as root, or through password-less sudo)
// on a machine that lacks it, as CI does; `launchBrowser` starts one per test file.
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";

const run = promisify(execFile);

/** Where Debian and Ubuntu put it; CHROMIUM_PATH overrides. */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

const LAUNCH_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let installing: Promise<string> | undefined;

/** The path of a Chromium executable, installed with apt-get when none is found. */
export function ensureChromium(): Promise<string> {
  installing ??= findOrInstall();
  return installing;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await ensureChromium(), args: LAUNCH_ARGS });
}

async function findOrInstall(): Promise<string> {
  const found = await findChromium();
  if (found) return found;
  const problem = await install();
  const installed = await findChromium();
  if (installed) return installed;
  throw new Error(
    `Chromium is needed for the web page tests and is not installed at ${CANDIDATES.join(" or ")}; ` +
      `installing it failed (${problem ?? "apt-get ran but installed no chromium"}). ` +
      "Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium executable.",
  );
}

async function findChromium(): Promise<string | undefined> {
  const override = process.env.CHROMIUM_PATH;
  for (const path of override ? [override] : CANDIDATES) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here; try the next place
    }
  }
  return undefined;
}

/** Runs apt-get; returns what went wrong, or undefined when it succeeded. */
async function install(): Promise<string | undefined> {
  if (process.platform !== "linux") return `no automatic install on ${process.platform}`;
  try {
    await access("/usr/bin/apt-get", constants.X_OK);
  } catch {
    return "apt-get is not available";
  }
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = async (...args: string[]) => {
    const [command, ...rest] = [...sudo, "apt-get", ...args];
    await run(command ?? "apt-get", rest, { env, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  };
  try {
    await apt("update");
    await apt("install", "-y", "--no-install-recommends", "chromium");
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split("\n").slice(-3).join(" / ");
    return stderr || (error as Error).message;
  }
}
