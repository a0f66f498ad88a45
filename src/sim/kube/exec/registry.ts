// What `kubectl exec` runs in the simulated cluster: handlers tests register, then the built-in
// commands (echo, sh -c, sleep, fsfreeze, ...), with a log of every exec for ordering assertions.
import type { KubeObject } from "../types.js";
import { runBuiltin } from "./builtins.js";

/** What a command printed and how it ended; delayMs holds the exec open that long first. */
export interface ExecResult {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  delayMs?: number;
}

/** Answers a command, or returns undefined to leave it to the next handler or the built-ins. */
export type ExecHandler = (
  pod: KubeObject,
  container: string,
  command: string[],
) => ExecResult | undefined | Promise<ExecResult | undefined>;

export interface ExecRecord {
  /** Order of the execs, from 1. */
  seq: number;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** Date.now() when the exec started and when it finished. */
  startedAt: number;
  finishedAt?: number;
  exitCode?: number;
}

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  /** The pod as stored when the exec began. */
  object: KubeObject;
}

export interface ExecOptions {
  /** `sleep N` waits N seconds times this (default 0.01: `sleep 10` takes 100 ms). */
  sleepScale?: number;
  /** How waiting is done (default setTimeout); tests may inject their own clock. */
  delay?: (ms: number) => Promise<void>;
}

/** How a command runs: its target, stdin (read to EOF on demand) and the registry's state. */
export interface CommandContext {
  target: ExecTarget;
  readStdin(): Promise<string>;
  registry: ExecRegistry;
}

const defaultDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ExecRegistry {
  sleepScale: number;
  delay: (ms: number) => Promise<void>;
  private readonly handlers: ExecHandler[] = [];
  private readonly records: ExecRecord[] = [];
  /** "<namespace>/<pod>" -> mount paths fsfreeze froze in it (a new pod of that name starts thawed). */
  private readonly frozen = new Map<string, { uid: string; paths: Set<string> }>();

  constructor(options: ExecOptions = {}) {
    this.sleepScale = options.sleepScale ?? 0.01;
    this.delay = options.delay ?? defaultDelay;
  }

  /** Adds a handler tried before those added earlier and before the built-ins; returns its removal. */
  registerExec(handler: ExecHandler): () => void {
    this.handlers.unshift(handler);
    return () => {
      const i = this.handlers.indexOf(handler);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** Every exec so far, in the order they started. */
  get log(): readonly ExecRecord[] {
    return this.records;
  }

  clearLog(): void {
    this.records.length = 0;
  }

  /** Mount paths currently frozen by fsfreeze in a pod. */
  frozenPaths(namespace: string, pod: string): string[] {
    return [...(this.frozen.get(`${namespace}/${pod}`)?.paths ?? [])].sort();
  }

  /** fsfreeze's state: true when the path was not frozen before (freeze) or was (unfreeze). */
  setFrozen(target: ExecTarget, path: string, frozen: boolean): boolean {
    const key = `${target.namespace}/${target.pod}`;
    const uid = target.object.metadata?.uid ?? "";
    const known = this.frozen.get(key);
    const paths = known?.uid === uid ? known.paths : new Set<string>();
    this.frozen.set(key, { uid, paths });
    if (frozen === paths.has(path)) return false;
    if (frozen) paths.add(path);
    else paths.delete(path);
    return true;
  }

  /** Runs one exec from start to end and records it. */
  async run(target: ExecTarget, command: string[], readStdin: () => Promise<string>): Promise<ExecResult> {
    const record: ExecRecord = {
      seq: this.records.length + 1,
      namespace: target.namespace,
      pod: target.pod,
      container: target.container,
      command: [...command],
      startedAt: Date.now(),
    };
    this.records.push(record);
    let result: ExecResult;
    try {
      result = await this.runCommand({ target, readStdin, registry: this }, command);
    } catch (error) {
      result = { stderr: `${error instanceof Error ? error.message : String(error)}\n`, exitCode: 1 };
    }
    record.finishedAt = Date.now();
    record.exitCode = result.exitCode ?? 0;
    return result;
  }

  /** One command through the registered handlers, then the built-ins (sh -c comes back here). */
  async runCommand(context: CommandContext, command: string[]): Promise<ExecResult> {
    for (const handler of [...this.handlers]) {
      const answer = await handler(context.target.object, context.target.container, command);
      if (!answer) continue;
      if (answer.delayMs) await this.delay(answer.delayMs);
      return answer;
    }
    return runBuiltin(context, command);
  }
}
