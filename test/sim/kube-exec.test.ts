// pods/<name>/exec against the whole simulator, through the real clients: kubectl exec (WebSocket,
// v5.channel.k8s.io) and client-node's Exec, the built-in commands, registered handlers and the log.
import { PassThrough, Readable } from "node:stream";
import { Exec, type V1Status } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { KubeObject } from "../../src/sim/kube/types.js";
import { kubeConfigFor, kubectl, useSimulator } from "../helpers/sim.js";

const ns = "default";

function pod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name, namespace: ns },
    spec: {
      containers: [
        { name: "db", image: "mysql:8.4", volumeMounts: [{ name: "data", mountPath: "/var/lib/mysql" }] },
        { name: "sidecar", image: "busybox" },
      ],
      volumes: [{ name: "data", emptyDir: {} }],
      ...extra,
    },
  };
}

interface Outcome {
  stdout: string;
  stderr: string;
  status: V1Status;
}

describe("kube-sim exec", () => {
  const sim = useSimulator();
  const podType = () => {
    const t = sim().kube.store.resourceFor("", "pods");
    if (!t) throw new Error("pods are not served");
    return t;
  };

  beforeAll(async () => {
    sim().kube.store.create(podType(), pod("db"));
    sim().kube.store.create(podType(), pod("unscheduled", { nodeSelector: { disk: "none-has-this" } }));
    await sim().controllers.idle();
  });

  async function clientExec(command: string[], container = "db", stdin?: Readable): Promise<Outcome> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = "";
    let err = "";
    stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kubeConfigFor(sim()))
        .exec(ns, "db", container, command, stdout, stderr, stdin ?? null, false, resolve)
        .catch(reject);
    });
    return { stdout: out, stderr: err, status };
  }

  function upgrade(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${sim().kube.url.replace("https", "wss")}${path}`, ["v5.channel.k8s.io"], {
        ca: sim().tls.caCert,
        headers: { Authorization: `Bearer ${sim().token}` },
      });
      ws.on("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on("open", () => reject(new Error("upgrade unexpectedly accepted")));
      ws.on("error", () => undefined);
    });
  }

  it("runs `kubectl exec` over WebSocket and passes output and exit codes through", async () => {
    const hi = await kubectl(sim(), ["exec", "db", "-c", "db", "--", "echo", "hi"]);
    expect(hi).toMatchObject({ code: 0, stdout: "hi\n" });
    const failing = await kubectl(sim(), [
      "exec",
      "db",
      "-c",
      "db",
      "--",
      "sh",
      "-c",
      "echo out; echo err >&2; exit 3",
    ]);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toBe("out\n");
    expect(failing.stderr).toContain("err\n");
    expect(failing.stderr).toContain("command terminated with exit code 3");
  });

  it("answers client-node's Exec with the v4 Status carrying the exit code", async () => {
    expect(await clientExec(["echo", "ready"])).toEqual({
      stdout: "ready\n",
      stderr: "",
      status: { metadata: {}, status: "Success" },
    });
    const failed = await clientExec(["false"]);
    expect(failed.status).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "1" }] },
    });
    const piped = await clientExec(["cat"], "db", Readable.from(["line one\n", "line two\n"]));
    expect(piped.stdout).toBe("line one\nline two\n");
  });

  it("freezes a mounted filesystem once: a second freeze is busy, unfreeze releases it", async () => {
    const freeze = await clientExec(["fsfreeze", "--freeze", "/var/lib/mysql"]);
    expect(freeze.status.status).toBe("Success");
    expect(sim().kube.exec.frozenPaths(ns, "db")).toEqual(["/var/lib/mysql"]);
    const again = await clientExec(["fsfreeze", "--freeze", "/var/lib/mysql"]);
    expect(again.stderr).toBe("fsfreeze: /var/lib/mysql: freeze failed: Device or resource busy\n");
    expect(again.status.details?.causes?.[0]?.message).toBe("1");
    const notMounted = await clientExec(["fsfreeze", "--freeze", "/srv"]);
    expect(notMounted.stderr).toBe("fsfreeze: cannot open /srv: No such file or directory\n");
    expect((await clientExec(["fsfreeze", "--unfreeze", "/var/lib/mysql"])).status.status).toBe("Success");
    expect(sim().kube.exec.frozenPaths(ns, "db")).toEqual([]);
  });

  it("fails unknown programs as containerd does, and inside sh as the shell does", async () => {
    const direct = await clientExec(["pg_dumpall"]);
    expect(direct.stderr).toBe(
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "pg_dumpall": executable file not found in $PATH: unknown\n',
    );
    expect(direct.status.details?.causes?.[0]?.message).toBe("126");
    const shell = await clientExec(["sh", "-c", "true && pg_dumpall"]);
    expect(shell.stderr).toBe("sh: 1: pg_dumpall: not found\n");
    expect(shell.status.details?.causes?.[0]?.message).toBe("127");
  });

  it("runs registered handlers first and logs every exec in order, hooks around a snapshot", async () => {
    const exec = sim().kube.exec;
    exec.clearLog();
    const remove = exec.registerExec((target, container, command) =>
      command[0] === "mysql-flush"
        ? { stdout: `flushed ${target.metadata?.name}/${container}\n`, delayMs: 5 }
        : undefined,
    );
    try {
      expect((await clientExec(["mysql-flush"])).stdout).toBe("flushed db/db\n");
      await clientExec(["sh", "-c", "fsfreeze --freeze /var/lib/mysql && echo frozen"]);
      await clientExec(["fsfreeze", "--unfreeze", "/var/lib/mysql"]);
    } finally {
      remove();
    }
    const log = exec.log.map((r) => ({
      pod: r.pod,
      container: r.container,
      command: r.command,
      exitCode: r.exitCode,
    }));
    expect(log).toEqual([
      { pod: "db", container: "db", command: ["mysql-flush"], exitCode: 0 },
      {
        pod: "db",
        container: "db",
        command: ["sh", "-c", "fsfreeze --freeze /var/lib/mysql && echo frozen"],
        exitCode: 0,
      },
      { pod: "db", container: "db", command: ["fsfreeze", "--unfreeze", "/var/lib/mysql"], exitCode: 0 },
    ]);
    const [first, second] = exec.log;
    expect(first?.finishedAt).toBeLessThanOrEqual(second?.startedAt ?? 0);
  });

  it("scales `sleep` and waits through the injectable delay", async () => {
    const exec = sim().kube.exec;
    const waited: number[] = [];
    const original = exec.delay;
    exec.delay = async (ms) => {
      waited.push(ms);
    };
    try {
      expect((await clientExec(["sleep", "30"])).status.status).toBe("Success");
      expect((await clientExec(["sh", "-c", "sleep 2m && echo done"])).stdout).toBe("done\n");
    } finally {
      exec.delay = original;
    }
    expect(waited).toEqual([30 * 1000 * exec.sleepScale, 120 * 1000 * exec.sleepScale]);
  });

  it("refuses execs into missing pods, unknown containers and pods without a node, as the server does", async () => {
    const path = (pod: string, container: string) =>
      `/api/v1/namespaces/${ns}/pods/${pod}/exec?command=true&stdout=true&container=${container}`;
    const missing = await upgrade(path("ghost", "db"));
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).message).toBe('pods "ghost" not found');
    const wrong = await upgrade(path("db", "web"));
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body).message).toBe("container web is not valid for pod db");
    const pending = await upgrade(path("unscheduled", "db"));
    expect(JSON.parse(pending.body).message).toBe("pod unscheduled does not have a host assigned");
    const plain = await kubectl(sim(), [
      "get",
      "--raw",
      `/api/v1/namespaces/${ns}/pods/db/exec?command=true&stdout=true&container=db`,
    ]);
    expect(plain.stderr).toContain("Upgrade request required");
  });
});
