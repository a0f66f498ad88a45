// pods/<name>/exec over WebSocket as kubectl and client-node speak it: the channel subprotocols
// (v5, v4, v3, v2, channel.k8s.io), stdout=1/stderr=2/error=3 frames and v4's Status with the exit code.
import type { IncomingMessage, Server } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { parseRoute } from "../routes.js";
import { badRequest, notFoundPath, StatusError, unauthorized } from "../status.js";
import type { MemoryStore } from "../store.js";
import type { ExecRegistry, ExecResult } from "./registry.js";
import { type ExecRequest, prepareExec } from "./session.js";

const supported = [
  "v5.channel.k8s.io",
  "v4.channel.k8s.io",
  "v3.channel.k8s.io",
  "v2.channel.k8s.io",
  "channel.k8s.io",
];
const stdinChannel = 0;
const stdoutChannel = 1;
const stderrChannel = 2;
const errorChannel = 3;
const closeSignal = 255;

export interface ExecServerOptions {
  store: MemoryStore;
  registry: ExecRegistry;
  authorized(req: IncomingMessage): boolean;
}

/** The exec's final Status: on v4 and v5 JSON with the exit code, before that the message alone. */
function statusFrame(protocol: string, command: string[], result: ExecResult): Buffer | undefined {
  const code = result.exitCode ?? 0;
  const versioned = protocol === "v4.channel.k8s.io" || protocol === "v5.channel.k8s.io";
  const message = `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`;
  if (code === 0)
    return versioned ? frame(errorChannel, JSON.stringify({ metadata: {}, status: "Success" })) : undefined;
  if (!versioned) return frame(errorChannel, message);
  return frame(
    errorChannel,
    JSON.stringify({
      metadata: {},
      status: "Failure",
      message,
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: String(code) }] },
    }),
  );
}

function frame(channel: number, data: string | Buffer): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** Answers a refused upgrade with the Status kube-apiserver would send, then hangs up. */
function refuse(socket: Duplex, error: unknown): void {
  const status =
    error instanceof StatusError
      ? error.status
      : new StatusError(500, "InternalError", `Internal error occurred: ${String(error)}`).status;
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${body}`,
  );
}

async function runSession(ws: WebSocket, request: ExecRequest, registry: ExecRegistry): Promise<void> {
  const protocol = ws.protocol || "channel.k8s.io";
  const chunks: Buffer[] = [];
  let stdinDone = !request.stdin;
  let closed = false;
  const waiting: Array<() => void> = [];
  const endStdin = () => {
    stdinDone = true;
    for (const resume of waiting.splice(0)) resume();
  };
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data.toString(), "utf8");
    if (buf[0] === stdinChannel) chunks.push(buf.subarray(1));
    else if (buf[0] === closeSignal && buf[1] === stdinChannel) endStdin();
  });
  ws.on("close", () => {
    closed = true;
    endStdin();
  });
  const readStdin = async () => {
    if (!stdinDone) await new Promise<void>((resume) => waiting.push(resume));
    return Buffer.concat(chunks).toString("utf8");
  };
  const result = await registry.run(request.target, request.command, readStdin);
  if (closed) return;
  let stdout = result.stdout ?? "";
  let stderr = result.stderr ?? "";
  // A terminal has one output stream.
  if (request.tty) [stdout, stderr] = [stdout + stderr, ""];
  if (request.stdout && stdout) ws.send(frame(stdoutChannel, stdout));
  if (request.stderr && stderr) ws.send(frame(stderrChannel, stderr));
  const status = statusFrame(protocol, request.command, result);
  if (status) ws.send(status);
  ws.close(1000);
}

/** Serves exec upgrades on `server`; returns what stops the sessions when the server closes. */
export function serveExec(server: Server, options: ExecServerOptions): { close(): void } {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => [...offered].find((p) => supported.includes(p)) ?? false,
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      if (!options.authorized(req)) throw unauthorized();
      const url = new URL(req.url ?? "/", "https://localhost");
      const route = parseRoute(url.pathname);
      if (
        route?.kind !== "resource" ||
        route.group !== "" ||
        route.resource !== "pods" ||
        route.subresource !== "exec" ||
        !route.name ||
        !route.namespace
      ) {
        throw notFoundPath();
      }
      const request = prepareExec(options.store, route.namespace, route.name, url.searchParams);
      if ((req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
        throw badRequest(
          `unsupported upgrade protocol ${req.headers.upgrade ?? ""}: the simulator serves exec over WebSocket`,
        );
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        runSession(ws, request, options.registry).catch(() => ws.terminate());
      });
    } catch (error) {
      refuse(socket, error);
    }
  });
  return {
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
