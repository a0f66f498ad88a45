// The backup center as a platform engineer uses it, in headless Chromium against `serve` over a
// simulated cluster and Azurite: instances with their health, a backup started from the page and
// followed to Succeeded, a failed one with its reason, a recovery point's content, a dry-run preview
// and a restore into a mapped namespace, the duration and size chart, the Azure layout with its
// function key, hostile text in stored data shown as text, and a name on every control.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { HttpRequest } from "@azure/functions";
import { BlobServiceClient } from "@azure/storage-blob";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { Catalog } from "../../src/store/catalog.js";
import { functionsWebHandler } from "../../src/web/azure-functions.js";
import { startSimTestServer, type TestServer } from "../api/harness.js";
import type { Accepted, CompletedBackup, DurableStatus, List } from "../api/shapes.js";
import { launchBrowser } from "../helpers/browser.js";
import { eventually } from "../helpers/eventually.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const LEGACY_POINT = "legacy-20261120-010203-abcd";
const FUNCTION_KEY = "k3y-for-the-test";

/**
 * The Functions app's URL layout in front of `serve`: the `web` function's handler at /ui/, and the
 * API at /api/ answering only calls that carry the function key, as the host does.
 */
async function startFunctionsLayout(apiUrl: string): Promise<{ url: string; keys: string[]; close(): void }> {
  const keys: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/ui" || url.pathname.startsWith("/ui/")) {
        const asset = url.pathname.slice("/ui/".length);
        const page = await functionsWebHandler(
          new HttpRequest({ method: "GET", url: url.href, params: { asset } }),
        );
        res.writeHead(page.status ?? 200, page.headers as Record<string, string>);
        res.end(page.body === undefined ? undefined : String(page.body));
        return;
      }
      const key = req.headers["x-functions-key"];
      keys.push(String(key));
      if (!url.pathname.startsWith("/api/") || req.method !== "GET" || key !== FUNCTION_KEY) {
        res.writeHead(401).end();
        return;
      }
      const answer = await fetch(`${apiUrl}${url.pathname}${url.search}`);
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
      res.end(await answer.text());
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, keys, close: () => server.close() };
}

/** A recovery point written into the storage by someone else, carrying markup in its free text. */
function hostileManifest(): RecoveryPointManifest {
  return {
    formatVersion: 1,
    id: LEGACY_POINT,
    instance: "legacy",
    cluster: "sim",
    trigger: "OnDemand",
    startTime: "2026-11-20T01:02:03.000Z",
    endTime: "2026-11-20T01:02:09.000Z",
    status: "PartiallySucceeded",
    archive: { blob: `legacy/${LEGACY_POINT}/resources.tar.gz`, sizeBytes: 2048, sha256: "0".repeat(64) },
    itemCounts: { [HOSTILE]: 1 },
    totalItems: 1,
    volumeSnapshots: [],
    warnings: [{ message: HOSTILE, namespace: "shop", name: "settings" }],
    errors: [{ message: `error ${HOSTILE}` }],
  };
}

describe("the backup center page", () => {
  const sim = useSimulator();
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  async function backUpThroughApi(): Promise<string> {
    const started = await server.request<Accepted>("POST", "/api/backup-instances/shop/backup");
    const done = await eventually(
      async () => {
        const response = await fetch(started.body.statusQueryGetUri);
        return response.status === 200
          ? ((await response.json()) as DurableStatus<CompletedBackup>)
          : undefined;
      },
      "the backup to finish",
      20_000,
    );
    return done.output.recoveryPointId;
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([startSimTestServer(sim()), launchBrowser()]);
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
    const policy = {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    };
    expect((await server.request("PUT", "/api/policies/daily", { body: policy })).status).toBe(201);
    const instance = {
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["shop"],
      snapshotVolumes: false,
    };
    expect((await server.request("PUT", "/api/backup-instances/shop", { body: instance })).status).toBe(201);
    const gone = { kubeconfig: join(server.dir, "deleted", "kubeconfig") };
    expect((await server.request("PUT", "/api/clusters/gone", { body: gone })).status).toBe(201);
    const broken = { cluster: "gone", policy: "daily", snapshotVolumes: false };
    expect((await server.request("PUT", "/api/backup-instances/broken", { body: broken })).status).toBe(201);
    const container = BlobServiceClient.fromConnectionString(
      inject("azuriteConnectionString"),
    ).getContainerClient(server.container);
    await new Catalog(container).commitManifest(hostileManifest());
    page = await browser.newPage();
    page.on("pageerror", (error) => pageProblems.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageProblems.push(message.text());
    });
    await page.goto(`${server.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows every instance with its health in words and why", async () => {
    expect(await page.title()).toBe("Backup center · aks-backup");
    const row = page.locator('#instances tr[data-instance="shop"]');
    await row.waitFor();
    expect(await row.locator("td[data-health]").textContent()).toBe("! Warning");
    expect(await row.textContent()).toContain("no backup has run yet");
    expect(await row.textContent()).toContain("never");
  });

  it("starts a backup from the page and follows the job until it succeeded", async () => {
    await page.getByRole("button", { name: "Back up shop now" }).click();
    await page.locator("#status", { hasText: /^Backup of shop started \(backup:shop:ondemand:/ }).waitFor();
    const job = page.locator('#jobs tr[data-job^="backup:shop:ondemand:"]');
    await job.locator('td[data-status="Succeeded"]').waitFor({ timeout: 20_000 });
    expect(await job.locator("td[data-status]").textContent()).toBe("✓ Succeeded");
    expect(await job.textContent()).toContain("phase: done");
    await page.locator('#instances tr[data-instance="shop"] td[data-health="Healthy"]').waitFor();
    expect(await page.locator('#instances tr[data-instance="shop"] td[data-health]').textContent()).toBe(
      "✓ Healthy",
    );
  });

  it("shows why a backup failed, and the instance as unhealthy", async () => {
    await page.getByRole("button", { name: "Back up broken now" }).click();
    const job = page.locator('#jobs tr[data-job^="backup:broken:ondemand:"]');
    await job.locator('td[data-status="Failed"]').waitFor({ timeout: 20_000 });
    expect(await job.locator("td[data-status]").textContent()).toBe("✗ Failed");
    await job.locator("td.error", { hasText: 'cluster "gone": cannot load kubeconfig' }).waitFor();
    const health = page.locator('#instances tr[data-instance="broken"] td[data-health="Unhealthy"]');
    await health.waitFor();
    expect(await health.textContent()).toBe("✗ Unhealthy");
  });

  it("lists the recovery point and shows what it holds", async () => {
    const points = await server.request<List<RecoveryPointManifest>>(
      "GET",
      "/api/backup-instances/shop/recovery-points",
    );
    expect(points.body.value).toHaveLength(1);
    const id = points.body.value[0]?.id ?? "";
    await page.getByRole("button", { name: "Show recovery points of shop" }).click();
    await page.getByRole("button", { name: `Details of ${id}` }).click();
    const details = page.locator("#point-details article");
    await details.waitFor();
    expect(await details.locator("h3").textContent()).toBe(`Recovery point ${id}`);
    const configMaps = details.locator("tr", { has: page.locator("th", { hasText: /^v1\/ConfigMap$/ }) });
    expect(Number(await configMaps.locator("td").textContent())).toBeGreaterThanOrEqual(1);
    expect(await details.textContent()).toContain("Warnings: none.");
    expect(await details.textContent()).toContain("No volume snapshots.");
  });

  it("previews a restore into a mapped namespace without touching the cluster, then restores", async () => {
    await page.getByRole("button", { name: "Restore from this point" }).click();
    await page.getByLabel("Mapping 1: from namespace").fill("shop");
    const to = page.getByLabel("Mapping 1: to namespace");
    await to.fill("shop-copy");
    // Enter in a field submits the form, and the form's default action is the harmless preview.
    await to.press("Enter");
    const preview = page.locator('#restore-result article[data-dry-run="true"]');
    await preview.waitFor({ timeout: 20_000 });
    expect(await preview.locator("h3").textContent()).toBe("Preview: what a restore would do");
    const settings = preview.locator("tr", { has: page.locator("th", { hasText: /^settings$/ }) });
    const [outcome, kind, namespace, reason] = await settings.locator("td").allTextContents();
    expect([outcome, kind, namespace]).toEqual(["would be created", "ConfigMap", "shop-copy"]);
    expect(reason).toContain("creates its namespace shop-copy first");
    const namespaceRow = preview.locator("tr", { has: page.locator("th", { hasText: /^shop-copy$/ }) });
    expect(await namespaceRow.locator("td").first().textContent()).toBe("would be created");
    expect(await page.locator("#status").textContent()).toMatch(/^Preview ready: \d+ to create/);
    expect((await kubectl(sim(), ["get", "namespace", "shop-copy"])).stderr).toContain("NotFound");

    await page.getByRole("button", { name: "Restore", exact: true }).click();
    const restored = page.locator('#restore-result article[data-dry-run="false"]');
    await restored.waitFor({ timeout: 20_000 });
    expect(await restored.locator("h3").textContent()).toBe("Restore result");
    expect(await restored.textContent()).toContain("✓ Succeeded");
    const copied = await kubectl(sim(), ["get", "configmap", "settings", "-n", "shop-copy", "-o", "json"]);
    expect(JSON.parse(copied.stdout).data).toEqual({ mode: "prod" });
  });

  it("charts duration and archive size with one point per recovery point", async () => {
    await backUpThroughApi();
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator("#status", { hasText: "Up to date." }).waitFor();
    const points = await server.request<List<RecoveryPointManifest>>(
      "GET",
      "/api/backup-instances/shop/recovery-points",
    );
    expect(points.body.value).toHaveLength(2);
    const chart = page.locator('#charts figure[data-chart="shop"]');
    for (const series of ["duration", "size"]) {
      const circles = chart.locator(`g[data-series="${series}"] circle`);
      expect(await circles.count(), series).toBe(2);
      const ids = await Promise.all((await circles.all()).map((circle) => circle.getAttribute("data-point")));
      expect(ids.sort()).toEqual(points.body.value.map((point) => point.id).sort());
    }
    expect(await chart.locator("figcaption").textContent()).toBe(
      "shop: backup duration and archive size, 2 backups",
    );
  });

  it("shows markup in stored data as text and runs none of it", async () => {
    await page.getByLabel("Instance", { exact: true }).selectOption("legacy");
    await page.getByRole("button", { name: `Details of ${LEGACY_POINT}` }).click();
    const details = page.locator("#point-details article");
    await details.locator("h3", { hasText: LEGACY_POINT }).waitFor();
    expect(await details.locator('[data-messages="warnings"] li').textContent()).toBe(
      `shop settings: ${HOSTILE}`,
    );
    expect(await details.locator('[data-messages="errors"] li').textContent()).toBe(`error ${HOSTILE}`);
    expect(await details.locator("tbody th").first().textContent()).toBe(HOSTILE);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(1);
    expect(pageProblems).toEqual([]);
  });

  it("works at /ui/ as on Azure, sending the key it was opened with and taking it out of the address bar", async () => {
    const layout = await startFunctionsLayout(server.url);
    const azure = await browser.newPage();
    try {
      await azure.goto(`${layout.url}/ui#code=${FUNCTION_KEY}`);
      await azure.locator('#instances tr[data-instance="shop"] td[data-health="Healthy"]').waitFor();
      expect(azure.url()).toBe(`${layout.url}/ui/`);
      expect(new Set(layout.keys)).toEqual(new Set([FUNCTION_KEY]));
      await azure.reload();
      await azure.locator('#instances tr[data-instance="shop"]').waitFor();
      expect(new Set(layout.keys)).toEqual(new Set([FUNCTION_KEY]));
    } finally {
      await azure.close();
      layout.close();
    }
  });

  it("gives every field and button a name and keeps the page usable from the keyboard", async () => {
    const tree = await page.locator("body").ariaSnapshot();
    expect(tree).toContain('combobox "Recovery point"');
    expect(tree).toContain('textbox "Included namespaces"');
    expect(tree).toContain('combobox "When an item already exists"');
    expect(tree).toContain('button "Preview (dry run)"');
    const unnamed = tree
      .split("\n")
      .filter((line) => /- (textbox|combobox|button|checkbox)(:|$| \[)/.test(line.trim()));
    expect(unnamed).toEqual([]);
    await page.getByRole("button", { name: "Add mapping" }).focus();
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("mapping-from-2");
    expect(await page.locator("table:not(:has(th[scope=col]))").count()).toBe(0);
  });

  it("follows a running backup by reading only the jobs, then reloads the rest once it ends", async () => {
    // The backup's ConfigMap list takes 5 s: long enough to watch the page poll while it runs.
    sim().kube.faults.latency(5_000, { path: /\/namespaces\/shop\/configmaps$/, count: 1 });
    const asked: { path: string; at: number }[] = [];
    const onRequest = (request: { url(): string }) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith("/api/")) asked.push({ path, at: Date.now() });
    };
    page.on("request", onRequest);
    try {
      await page.getByRole("button", { name: "Back up shop now" }).click();
      const job = page.locator('#jobs tr[data-job^="backup:shop:ondemand:"]').first();
      await job.locator('td[data-status="InProgress"]').waitFor();
      const running = Date.now();
      await job.locator('td[data-status="Succeeded"]').waitFor({ timeout: 20_000 });
      const ended = Date.now();
      const during = asked.filter((r) => r.at > running + 500 && r.at < ended - 500);
      expect(during.filter((r) => r.path === "/api/jobs").length).toBeGreaterThanOrEqual(2);
      expect(during.filter((r) => r.path === "/api/health" || r.path === "/api/usage")).toEqual([]);
      // Once it ended, health is read again and shows the new backup.
      await eventually(
        async () => (asked.some((r) => r.path === "/api/health" && r.at >= ended - 2_500) ? true : undefined),
        "the page to reload health after the backup ended",
        10_000,
      );
    } finally {
      page.off("request", onRequest);
      sim().kube.faults.clear();
    }
  });
});
