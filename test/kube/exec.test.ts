// The exec client against the simulator's pods/exec: exit codes from the v5/v4 Status, bounded
// output, refusals worded by the server, timeouts and aborts.
import { beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import { ExecError, execInPod } from "../../src/kube/exec.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const POD = `
apiVersion: v1
kind: Namespace
metadata: {name: ex}
---
apiVersion: v1
kind: Pod
metadata: {name: box, namespace: ex}
spec:
  containers: [{name: main, image: busybox}]
`;

describe("execInPod", () => {
  const sim = useSimulator();
  let cluster: Cluster;
  const target = { namespace: "ex", pod: "box", container: "main" };

  beforeAll(async () => {
    expect((await kubectl(sim(), ["create", "-f", "-"], POD)).stderr).toBe("");
    await sim().controllers.idle();
    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig });
  });

  it("returns the exit code with stdout and stderr", async () => {
    const ok = await execInPod(cluster, { ...target, command: ["echo", "hello"] }, { timeoutMs: 30_000 });
    expect(ok).toEqual({ exitCode: 0, stdout: "hello\n", stderr: "" });
    const failed = await execInPod(
      cluster,
      { ...target, command: ["sh", "-c", "echo oops >&2; exit 3"] },
      { timeoutMs: 30_000 },
    );
    expect(failed).toEqual({ exitCode: 3, stdout: "", stderr: "oops\n" });
  });

  it("keeps only the last bytes of a long output", async () => {
    const remove = sim().kube.exec.registerExec((_p, _c, command) =>
      command[0] === "noisy" ? { stdout: `${"a".repeat(10_000)}END`, exitCode: 0 } : undefined,
    );
    try {
      const result = await execInPod(cluster, { ...target, command: ["noisy"] }, { timeoutMs: 30_000 });
      expect(result.stdout).toHaveLength(4096);
      expect(result.stdout.endsWith("aEND")).toBe(true);
    } finally {
      remove();
    }
  });

  it("reports what the server says when it refuses, e.g. an unknown container", async () => {
    const error = await execInPod(
      cluster,
      { ...target, container: "nope", command: ["true"] },
      { timeoutMs: 30_000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecError);
    expect(error).toMatchObject({
      kind: "refused",
      statusCode: 400,
      message: "container nope is not valid for pod box",
    });
  });

  it("gives up at the timeout, and on abort with the signal's reason", async () => {
    let release = () => {};
    let entered = () => {};
    const running = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const remove = sim().kube.exec.registerExec((_p, _c, command) => {
      if (command[0] !== "hang") return undefined;
      entered();
      return new Promise((resolve) => {
        release = () => resolve({ exitCode: 0 });
      });
    });
    try {
      const timedOut = await execInPod(
        cluster,
        { ...target, command: ["hang"] },
        { timeoutMs: 5000, delay: () => running },
      ).catch((e: unknown) => e);
      expect(timedOut).toMatchObject({ kind: "timeout", message: "no result within 5000 ms" });
      release();
      const controller = new AbortController();
      const reason = new Error("job cancelled");
      const aborted = execInPod(
        cluster,
        { ...target, command: ["hang"] },
        { timeoutMs: 30_000, abortSignal: controller.signal },
      );
      await new Promise<void>((resolve) => {
        entered = resolve;
      });
      controller.abort(reason);
      await expect(aborted).rejects.toBe(reason);
    } finally {
      release();
      remove();
    }
  });
});
