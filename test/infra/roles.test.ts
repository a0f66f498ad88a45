// Every role the templates assign is the built-in role its comment names (a wrong GUID deploys
// fine and then grants something else, or nothing), nothing broad (Owner, Contributor) is ever
// assigned, and write access to clusters and disks exists only where restore is enabled.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bicepFile, bicepFiles, ROOT } from "./bicep.js";

// Azure built-in roles, from Microsoft's reference "Azure built-in roles"
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles): name -> id.
const BUILT_IN_ROLES: Record<string, string> = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Disk Snapshot Contributor": "7efff54f-a5b4-42b5-a1c5-5411624893ce",
  "Disk Backup Reader": "3e5e47e6-65f7-47ef-90b5-e5dd4d455f24",
  "Disk Restore Operator": "b50d9833-a0cb-478e-945f-707fcc997c13",
  "Azure Kubernetes Service Cluster User Role": "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
  "Azure Kubernetes Service RBAC Reader": "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
  "Azure Kubernetes Service RBAC Writer": "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
  "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
  "EventGrid Data Sender": "d5a91429-5739-47e2-a06b-3470a27159e7",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
};

const GUID = /'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g;

interface RoleUse {
  file: string;
  line: string;
  id: string;
}

function roleIdsInInfra(): RoleUse[] {
  return bicepFiles().flatMap((file) =>
    file.text
      .split("\n")
      .flatMap((line) => [...line.matchAll(GUID)].map((m) => ({ file: file.path, line, id: m[1] ?? "" }))),
  );
}

/** The role assignment resource blocks of a file: symbol, header line and body. */
function assignments(path: string): { symbol: string; header: string; body: string }[] {
  const text = bicepFile(path).text;
  return [
    ...text.matchAll(/^resource\s+(\w+)\s+'Microsoft\.Authorization\/roleAssignments@[^']+'\s*=([^\n]*)\n/gm),
  ].map((m) => {
    const start = (m.index ?? 0) + m[0].length;
    const next = text.indexOf("\n}", start);
    return { symbol: m[1] ?? "", header: m[2] ?? "", body: text.slice(start, next) };
  });
}

describe("role assignments in infra/", () => {
  const uses = roleIdsInInfra();
  const names = new Map(Object.entries(BUILT_IN_ROLES).map(([name, id]) => [id, name]));

  it("uses only built-in role ids from the table, each named in a comment on its line", () => {
    expect(uses.length).toBeGreaterThanOrEqual(Object.keys(BUILT_IN_ROLES).length);
    for (const use of uses) {
      const name = names.get(use.id);
      expect(name, `${use.file}: unknown role id ${use.id}`).toBeDefined();
      expect(use.line, `${use.file}: role ${use.id} needs a comment naming ${name}`).toContain(`// ${name}`);
    }
  });

  it("uses every role of the table somewhere (a role missing from the templates is a missing permission)", () => {
    const used = new Set(uses.map((use) => use.id));
    expect(Object.values(BUILT_IN_ROLES).filter((id) => !used.has(id))).toEqual([]);
  });

  it("names the role next to every assignment", () => {
    for (const file of bicepFiles()) {
      for (const assignment of assignments(file.path)) {
        const roleLine = assignment.body.split("\n").find((line) => line.includes("roleDefinitionId:"));
        expect(roleLine, `${file.path} ${assignment.symbol}`).toMatch(/\/\/ \S/);
        expect(assignment.body, `${file.path} ${assignment.symbol}`).toMatch(/name: guid\(/);
      }
    }
  });

  it("grants cluster writes and disk creation only when restore is enabled", () => {
    const cluster = assignments("infra/modules/cluster-access.bicep");
    const writer = cluster.find((a) => a.body.includes("restoreRole"));
    expect(writer?.header).toContain("if (enableRestore)");
    const readers = cluster.filter((a) => !a.body.includes("restoreRole"));
    expect(readers.map((a) => a.header.trim())).toEqual(["{", "{"]);
    const text = bicepFile("infra/modules/cluster-access.bicep").text;
    expect(text).toMatch(
      /var restoreRole = restoreKubernetesRole == 'Writer' \? rbacWriter : rbacClusterAdmin/,
    );
    const disks = assignments("infra/modules/node-disk-access.bicep");
    expect(disks.find((a) => a.body.includes("diskRestoreOperator"))?.header).toContain("if (enableRestore)");
    expect(disks.find((a) => a.body.includes("diskBackupReader"))?.header.trim()).toBe("{");
  });

  it("scopes the backup data role to the backup container, not the account", () => {
    const roles = assignments("infra/modules/roles.bicep");
    const backup = roles.find((a) => a.symbol === "backupData");
    expect(backup?.body).toContain("scope: backupContainer");
  });

  it("explains every role in docs/security.md", () => {
    const doc = readFileSync(join(ROOT, "docs/security.md"), "utf8");
    expect(Object.keys(BUILT_IN_ROLES).filter((name) => !doc.includes(name))).toEqual([]);
  });

  it("defines the custom Kubernetes reader with read data actions only", () => {
    const text = bicepFile("infra/modules/backup-reader-role.bicep").text;
    const dataActions = [...text.matchAll(/'(Microsoft\.ContainerService\/[^']+)'/g)].map((m) => m[1]);
    expect(dataActions).toEqual(["Microsoft.ContainerService/managedClusters/*/read"]);
    expect(text).toMatch(/actions: \[\]/);
  });
});
