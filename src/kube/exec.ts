// One command in a pod's container over pods/<name>/exec (WebSocket, the v5/v4 channel protocols):
// the exit code from the final Status, the last bytes of stdout and stderr, a timeout, an abort.
import type { IncomingMessage } from "node:http";
import { WebSocket } from "ws";
import type { Cluster } from "./cluster.js";
import type { KubeStatus } from "./errors.js";
import { type Delay, realDelay } from "./timing.js";

const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
/** Hook output only explains a failure; its end says why. */
export const DEFAULT_EXEC_OUTPUT_BYTES = 4096;

export interface ExecRequest {
  namespace: string;
  pod: string;
  /** Absent: the server picks the pod's only container. */
  container?: string;
  command: readonly string[];
}

export interface ExecOptions {
  /** How long the command may run, connecting included. */
  timeoutMs: number;
  abortSignal?: AbortSignal;
  /** How the timeout is waited for (tests inject their own). */
  delay?: Delay;
  /** Bytes kept of each stream, the last ones (default 4 KiB). */
  maxOutputBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Why there is no exit code: `refused` (the API server or kubelet said no before the command ran,
 * e.g. an unknown container), `timeout` (the command may still be running), `failed` (the stream
 * ended with a Status that is not an exit code, or without one).
 */
export type ExecErrorKind = "refused" | "timeout" | "failed";

export class ExecError extends Error {
  readonly code = "ExecError";
  override name = "ExecError";
  readonly kind: ExecErrorKind;
  readonly statusCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    kind: ExecErrorKind,
    message: string,
    extra: { statusCode?: number; stdout?: string; stderr?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? {} : { cause: extra.cause });
    this.kind = kind;
    this.statusCode = extra.statusCode;
    this.stdout = extra.stdout ?? "";
    this.stderr = extra.stderr ?? "";
  }
}

/** The last `max` bytes written. */
class Tail {
  #chunks: Buffer[] = [];
  #size = 0;
  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size > this.max * 2) this.#compact();
  }

  #compact(): void {
    const all = Buffer.concat(this.#chunks);
    const kept = all.subarray(Math.max(0, all.length - this.max));
    this.#chunks = [kept];
    this.#size = kept.length;
  }

  text(): string {
    this.#compact();
    return this.#chunks[0]?.toString("utf8") ?? "";
  }
}

function execPath(request: ExecRequest): string {
  const query = new URLSearchParams();
  if (request.container !== undefined) query.set("container", request.container);
  for (const word of request.command) query.append("command", word);
  query.set("stdout", "true");
  query.set("stderr", "true");
  const ns = encodeURIComponent(request.namespace);
  return `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(request.pod)}/exec?${query}`;
}

function parseStatus(text: string): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as KubeStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** The exit code a v4/v5 Status carries: 0 for Success, the ExitCode cause for NonZeroExitCode. */
function exitCodeOf(status: KubeStatus | undefined): number | undefined {
  if (status?.status === "Success") return 0;
  if (status?.reason !== "NonZeroExitCode") return undefined;
  const causes = (status.details as { causes?: Array<{ reason?: string; message?: string }> } | undefined)
    ?.causes;
  const code = Number(causes?.find((c) => c.reason === "ExitCode")?.message);
  return Number.isInteger(code) ? code : undefined;
}

/** Runs the command to its end; an exit code other than 0 is a result, not an error. */
export async function execInPod(
  cluster: Cluster,
  request: ExecRequest,
  options: ExecOptions,
): Promise<ExecResult> {
  const { abortSignal } = options;
  const target = await cluster.streamTarget(execPath(request), abortSignal);
  const url = new URL(target.url);
  url.protocol = "wss:";
  const max = options.maxOutputBytes ?? DEFAULT_EXEC_OUTPUT_BYTES;
  const stdout = new Tail(max);
  const stderr = new Tail(max);
  const timer = new AbortController();
  const ws = new WebSocket(url, PROTOCOLS, { agent: target.agent, headers: target.headers });

  return new Promise<ExecResult>((resolve, reject) => {
    let statusText: string | undefined;
    let settled = false;
    const output = () => ({ stdout: stdout.text(), stderr: stderr.text() });
    const settle = (outcome: { value: ExecResult } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      timer.abort();
      abortSignal?.removeEventListener("abort", onAbort);
      if ("value" in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    const onAbort = () => {
      ws.terminate();
      settle({ error: abortSignal?.reason });
    };
    abortSignal?.addEventListener("abort", onAbort, { once: true });

    (options.delay ?? realDelay)(options.timeoutMs, timer.signal).then(
      () => {
        if (settled) return;
        ws.terminate();
        settle({
          error: new ExecError("timeout", `no result within ${options.timeoutMs} ms`, output()),
        });
      },
      () => undefined,
    );

    ws.on("unexpected-response", (req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const status = parseStatus(body);
        const message = status?.message ?? (body.trim() || `HTTP ${res.statusCode}`);
        settle({
          error: new ExecError("refused", message, {
            ...(res.statusCode ? { statusCode: res.statusCode } : {}),
          }),
        });
        req.destroy();
      });
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const frame = isBinary ? data : Buffer.from(data.toString(), "utf8");
      const body = frame.subarray(1);
      if (frame[0] === STDOUT) stdout.push(body);
      else if (frame[0] === STDERR) stderr.push(body);
      else if (frame[0] === STATUS) statusText = (statusText ?? "") + body.toString("utf8");
    });
    ws.on("error", (error: Error) => {
      settle({ error: new ExecError("failed", `exec stream failed: ${error.message}`, { cause: error }) });
    });
    ws.on("close", () => {
      const status = statusText === undefined ? undefined : parseStatus(statusText);
      const exitCode = exitCodeOf(status);
      if (exitCode !== undefined) {
        settle({ value: { exitCode, ...output() } });
        return;
      }
      const why = status?.message ?? statusText ?? "the exec stream closed without an exit status";
      settle({ error: new ExecError("failed", why, output()) });
    });
  });
}
