// vitest global setup: makes sure Chromium is installed once per run, before the web page tests
// start (installing takes about 20 s on a machine without it). A failure does not stop the other
// tests: the page tests report it when they launch the browser.
import { ensureChromium } from "../helpers/browser.js";

export async function setup(): Promise<void> {
  try {
    await ensureChromium();
  } catch (error) {
    process.stderr.write(`test setup: ${(error as Error).message}\n`);
  }
}
