// The commands every simulated container has: true, false, echo, cat, sleep, sh/bash -c, and
// fsfreeze over the container's volume mounts; anything else fails as containerd reports it.
import type { CommandContext, ExecResult } from "./registry.js";
import { runScript } from "./shell.js";

interface VolumeMount {
  mountPath?: string;
}

function containerMounts(context: CommandContext): string[] {
  const spec = (context.target.object.spec ?? {}) as {
    containers?: Array<{ name?: string; volumeMounts?: VolumeMount[] }>;
    initContainers?: Array<{ name?: string; volumeMounts?: VolumeMount[] }>;
  };
  const container = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find(
    (c) => c.name === context.target.container,
  );
  return (container?.volumeMounts ?? []).map((m) => (m.mountPath ?? "").replace(/(.)\/+$/, "$1"));
}

function fsfreeze(context: CommandContext, args: string[]): ExecResult {
  const usage = "Try 'fsfreeze --help' for more information.\n";
  let mode: "freeze" | "unfreeze" | undefined;
  const paths: string[] = [];
  for (const arg of args) {
    if (arg === "--freeze" || arg === "-f") mode = "freeze";
    else if (arg === "--unfreeze" || arg === "-u") mode = "unfreeze";
    else if (arg.startsWith("-"))
      return { stderr: `fsfreeze: unrecognized option '${arg}'\n${usage}`, exitCode: 1 };
    else paths.push(arg);
  }
  if (!mode) return { stderr: `fsfreeze: neither --freeze or --unfreeze specified\n${usage}`, exitCode: 1 };
  const [raw] = paths;
  if (raw === undefined) return { stderr: `fsfreeze: no filename specified\n${usage}`, exitCode: 1 };
  const path = raw.replace(/(.)\/+$/, "$1");
  if (!containerMounts(context).includes(path)) {
    return { stderr: `fsfreeze: cannot open ${raw}: No such file or directory\n`, exitCode: 1 };
  }
  if (context.registry.setFrozen(context.target, path, mode === "freeze")) return { exitCode: 0 };
  const why = mode === "freeze" ? "Device or resource busy" : "Invalid argument";
  return { stderr: `fsfreeze: ${raw}: ${mode} failed: ${why}\n`, exitCode: 1 };
}

const units: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };

async function sleep(context: CommandContext, args: string[]): Promise<ExecResult> {
  if (args.length === 0)
    return { stderr: "sleep: missing operand\nTry 'sleep --help' for more information.\n", exitCode: 1 };
  let seconds = 0;
  for (const arg of args) {
    const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (!match) {
      return {
        stderr: `sleep: invalid time interval '${arg}'\nTry 'sleep --help' for more information.\n`,
        exitCode: 1,
      };
    }
    seconds += Number(match[1]) * (units[match[2] ?? ""] ?? 1);
  }
  await context.registry.delay(seconds * 1000 * context.registry.sleepScale);
  return { exitCode: 0 };
}

function echo(args: string[]): ExecResult {
  const noNewline = args[0] === "-n";
  const words = noNewline ? args.slice(1) : args;
  return { stdout: `${words.join(" ")}${noNewline ? "" : "\n"}`, exitCode: 0 };
}

/** What containerd answers when the program to exec does not exist (kubectl shows it as is). */
function notExecutable(program: string): ExecResult {
  const reason = program.includes("/")
    ? `stat ${program}: no such file or directory`
    : `exec: "${program}": executable file not found in $PATH`;
  return {
    stderr: `OCI runtime exec failed: exec failed: unable to start container process: ${reason}: unknown\n`,
    exitCode: 126,
  };
}

export async function runBuiltin(context: CommandContext, command: string[]): Promise<ExecResult> {
  const [program = "", ...args] = command;
  switch (program.slice(program.lastIndexOf("/") + 1)) {
    case "true":
      return { exitCode: 0 };
    case "false":
      return { exitCode: 1 };
    case "echo":
      return echo(args);
    case "cat":
      // The simulated filesystem holds no data: named files read as empty, no name reads stdin.
      return {
        stdout: args.length === 0 || args.includes("-") ? await context.readStdin() : "",
        exitCode: 0,
      };
    case "sleep":
      return sleep(context, args);
    case "fsfreeze":
      return fsfreeze(context, args);
    case "sh":
    case "bash": {
      const shell = program.slice(program.lastIndexOf("/") + 1) as "sh" | "bash";
      const c = args.indexOf("-c");
      const script = c >= 0 ? (args[c + 1] ?? "") : await context.readStdin();
      if (c >= 0 && args[c + 1] === undefined) {
        return { stderr: `${shell}: -c: option requires an argument\n`, exitCode: 2 };
      }
      return runScript(context, shell, script);
    }
    default:
      return notExecutable(program);
  }
}
