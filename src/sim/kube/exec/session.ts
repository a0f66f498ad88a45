// Which pod and container an exec request means, checked as kube-apiserver and the kubelet check
// it (pod, node, container, running), and the request's streams and command.
import { badRequest, notFound, StatusError } from "../status.js";
import type { MemoryStore } from "../store.js";
import type { KubeObject } from "../types.js";
import type { ExecTarget } from "./registry.js";

export interface ExecRequest {
  target: ExecTarget;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

interface ContainerStatus {
  name?: string;
  state?: { running?: unknown };
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === "true" || value === "1";
}

/** Resolves and checks an exec request; throws the StatusError the real server answers with. */
export function prepareExec(
  store: MemoryStore,
  namespace: string,
  name: string,
  query: URLSearchParams,
): ExecRequest {
  const pods = store.registry.lookup("", "v1", "pods");
  const pod: KubeObject | undefined = pods ? store.entry(pods, namespace, name)?.object : undefined;
  if (!pod) throw notFound("pods", "", name);
  const spec = (pod.spec ?? {}) as {
    nodeName?: string;
    containers?: Array<{ name?: string }>;
    initContainers?: Array<{ name?: string }>;
  };
  const containers = (spec.containers ?? []).map((c) => c.name ?? "");
  const initContainers = (spec.initContainers ?? []).map((c) => c.name ?? "");
  let container = query.get("container") ?? "";
  if (container === "") {
    if (containers.length !== 1) {
      const init =
        initContainers.length > 0 ? ` or one of the init containers: [${initContainers.join(" ")}]` : "";
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]${init}`,
      );
    }
    container = containers[0] ?? "";
  }
  if (!containers.includes(container) && !initContainers.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (!spec.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const status = (pod.status ?? {}) as {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
  const running = [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])].some(
    (s) => s.name === container && s.state?.running !== undefined,
  );
  if (!running) {
    throw new StatusError(
      500,
      "InternalError",
      `unable to upgrade connection: container not found ("${container}")`,
    );
  }
  const command = query.getAll("command");
  if (command.length === 0) throw badRequest("you must specify at least one command for the container");
  const request: ExecRequest = {
    target: { namespace, pod: name, container, object: pod },
    command,
    stdin: flag(query, "stdin"),
    stdout: flag(query, "stdout"),
    stderr: flag(query, "stderr"),
    tty: flag(query, "tty"),
  };
  if (!request.stdin && !request.stdout && !request.stderr) {
    throw badRequest("you must specify at least 1 of stdin, stdout, stderr");
  }
  return request;
}
