// kubectl's typed clients send protobuf: the imperative `kubectl create` commands for the simple
// kinds work, and anything else is refused with 415 instead of being misread.
import { describe, expect, it } from "vitest";
import { kubectlAgainst, useKubeSim } from "../helpers/kube-sim.js";

describe("protobuf request bodies", () => {
  const h = useKubeSim();

  it("creates namespaces, config maps, secrets and service accounts from kubectl create", async () => {
    for (const args of [
      ["create", "namespace", "proto"],
      ["create", "configmap", "settings", "-n", "proto", "--from-literal=color=blue"],
      ["create", "secret", "generic", "creds", "-n", "proto", "--from-literal=password=s3cret"],
      ["create", "serviceaccount", "bot", "-n", "proto"],
    ]) {
      const result = await kubectlAgainst(h(), args);
      expect(result.stderr).toBe("");
    }
    const ns = JSON.parse((await kubectlAgainst(h(), ["get", "namespace", "proto", "-o", "json"])).stdout);
    expect(ns.metadata).not.toHaveProperty("generateName");
    expect(ns.status.phase).toBe("Active");
    const cm = JSON.parse(
      (await kubectlAgainst(h(), ["get", "configmap", "settings", "-n", "proto", "-o", "json"])).stdout,
    );
    expect(cm.data).toEqual({ color: "blue" });
    const secret = JSON.parse(
      (await kubectlAgainst(h(), ["get", "secret", "creds", "-n", "proto", "-o", "json"])).stdout,
    );
    expect(secret).toMatchObject({
      type: "Opaque",
      data: { password: Buffer.from("s3cret").toString("base64") },
    });
  });

  it("answers kubectl auth can-i: the simulated user may do anything", async () => {
    const result = await kubectlAgainst(h(), ["auth", "can-i", "delete", "pods", "-n", "proto"]);
    expect(result.stdout.trim()).toBe("yes");
  });

  it("refuses protobuf bodies of other kinds with 415", async () => {
    const result = await kubectlAgainst(h(), ["create", "deployment", "web", "-n", "proto", "--image=nginx"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("the body of the request was in an unknown format");
  });
});
