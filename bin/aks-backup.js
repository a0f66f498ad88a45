#!/usr/bin/env node
// The `aks-backup` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import { main } from "../dist/src/cli/main.js";

main(process.argv).catch((error) => {
  console.error(`aks-backup: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
