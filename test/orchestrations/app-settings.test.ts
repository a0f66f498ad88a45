// The Functions app's environment from its app settings: a missing or malformed setting is named in
// the error before anything runs; a connection string reaches the storage it names.
import { describe, expect, inject, it } from "vitest";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import { environmentFromSettings, SettingsError } from "../../src/orchestrations/app-settings.js";

describe("environmentFromSettings", () => {
  it("names the missing storage setting", () => {
    expect(() => environmentFromSettings({})).toThrow(SettingsError);
    expect(() => environmentFromSettings({})).toThrow(/AKS_BACKUP_STORAGE_ACCOUNT_URL is missing/);
  });

  it("refuses a storage URL that is not https, without echoing its query (a SAS)", () => {
    const call = () =>
      environmentFromSettings({
        AKS_BACKUP_STORAGE_ACCOUNT_URL: "http://acct.blob.core.windows.net/?sig=SECRET",
      });
    expect(call).toThrow(/must be https: "http:\/\/acct.blob.core.windows.net"/);
    expect(call).not.toThrow(/SECRET/);
  });

  it("names a Kubernetes limit that is not a positive number", () => {
    expect(() =>
      environmentFromSettings({
        AKS_BACKUP_STORAGE_ACCOUNT_URL: "https://acct.blob.core.windows.net",
        AKS_BACKUP_KUBE_QPS: "fast",
      }),
    ).toThrow('app setting AKS_BACKUP_KUBE_QPS must be a positive number, not "fast"');
  });

  it("uses the connection string and container it is given", async () => {
    const env = environmentFromSettings({
      AKS_BACKUP_STORAGE_CONNECTION_STRING: inject("azuriteConnectionString"),
      AKS_BACKUP_CONTAINER: `settings-${Date.now()}`,
      AKS_BACKUP_KUBE_PAGE_SIZE: "250",
    });
    await env.definitions.ensureContainer();
    await env.definitions.put("cluster", { name: "prod", kubeconfig: "/k" });
    expect((await env.definitions.get("cluster", "prod"))?.value.kubeconfig).toBe("/k");
    expect(env.settings.pageSize).toBe(250);
    expect(env.catalog.container.containerName).toMatch(/^settings-/);
    await env.close();
  });

  it("names a snapshot resource group setting that is not a resource group id", () => {
    expect(() =>
      environmentFromSettings({
        AKS_BACKUP_STORAGE_ACCOUNT_URL: "https://acct.blob.core.windows.net",
        AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP: "rg-snapshots",
      }),
    ).toThrow(/app setting AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP must be a resource group id/);
  });

  it("snapshots instances that name no group into the deployment's snapshot group", async () => {
    const sub = "00000000-0000-0000-0000-0000000000aa";
    const group = `/subscriptions/${sub}/resourceGroups/rg-prod-snapshots`;
    const env = environmentFromSettings({
      AKS_BACKUP_STORAGE_CONNECTION_STRING: inject("azuriteConnectionString"),
      AKS_BACKUP_CONTAINER: `settings-snap-${Date.now()}`,
      AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP: group,
    });
    await env.definitions.ensureContainer();
    await env.definitions.put("cluster", {
      name: "aks",
      aksResourceId: `/subscriptions/${sub}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/prod`,
    });
    await env.definitions.put("cluster", { name: "kc", kubeconfig: "/k" });
    const instance = (cluster: string, own?: string) => ({
      name: `i-${cluster}`,
      cluster,
      policy: "daily",
      ...(own ? { snapshotResourceGroup: own } : {}),
    });
    const own = `/subscriptions/${sub}/resourceGroups/rg-own`;
    expect((await env.volumeDeps(backupInstanceSchema.parse(instance("aks")))).snapshotResourceGroup).toBe(
      group,
    );
    expect((await env.volumeDeps(backupInstanceSchema.parse(instance("kc")))).snapshotResourceGroup).toBe(
      group,
    );
    // The instance's own group still wins.
    expect(
      (await env.volumeDeps(backupInstanceSchema.parse(instance("aks", own)))).snapshotResourceGroup,
    ).toBe(own);
    await env.close();
  });
});
