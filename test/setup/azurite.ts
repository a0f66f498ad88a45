// vitest global setup: one Azurite per test run on a free loopback port, stopped afterwards.
// Test files read its connection string with `inject("azuriteConnectionString")`.
import type { TestProject } from "vitest/node";
import { startAzurite } from "../../src/store/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  return () => azurite.stop();
}
