// A very small `sh -c`: simple commands joined by &&, || and ; (or newlines), quoting, `exit N`,
// and the redirections hook scripts use (>/dev/null, 2>&1, >&2); commands run through the registry.
import type { CommandContext, ExecResult } from "./registry.js";

type Operator = "&&" | "||" | ";";

interface SimpleCommand {
  words: string[];
  /** Where stdout/stderr go: kept, discarded (a file), or into the other stream. */
  stdout: "keep" | "discard" | "stderr";
  stderr: "keep" | "discard" | "stdout";
  /** The operator before this command (";" for the first). */
  after: Operator;
}

/** Splits a script into words and operators, honouring quotes and backslashes. */
function tokenize(script: string): Array<{ word: string } | { op: Operator }> {
  const out: Array<{ word: string } | { op: Operator }> = [];
  let word = "";
  let inWord = false;
  const flush = () => {
    if (inWord) out.push({ word });
    word = "";
    inWord = false;
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] ?? "";
    const next = script[i + 1];
    if (ch === "'" || ch === '"') {
      const end = script.indexOf(ch, i + 1);
      const stop = end < 0 ? script.length : end;
      word += script.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (ch === "\\" && next !== undefined) {
      word += next;
      inWord = true;
      i++;
    } else if ((ch === "&" && next === "&") || (ch === "|" && next === "|")) {
      flush();
      out.push({ op: ch === "&" ? "&&" : "||" });
      i++;
    } else if (ch === ";" || ch === "\n") {
      flush();
      out.push({ op: ";" });
    } else if (ch === " " || ch === "\t") {
      flush();
    } else if (ch === "#" && !inWord) {
      const end = script.indexOf("\n", i);
      i = end < 0 ? script.length : end - 1;
    } else {
      word += ch;
      inWord = true;
    }
  }
  flush();
  return out;
}

function parse(script: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], stdout: "keep", stderr: "keep", after: ";" };
  const tokens = tokenize(script);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token) continue;
    if ("op" in token) {
      if (current.words.length > 0) commands.push(current);
      current = { words: [], stdout: "keep", stderr: "keep", after: token.op };
      continue;
    }
    const w = token.word;
    if (w === "2>&1") current.stderr = "stdout";
    else if (w === ">&2" || w === "1>&2") current.stdout = "stderr";
    else if (/^(1?>>?|&>)\S+$/.test(w)) current.stdout = "discard";
    else if (/^2>>?\S+$/.test(w)) current.stderr = "discard";
    else if (w === ">" || w === ">>" || w === "1>" || w === "2>" || w === "&>") {
      // The file name is the next word; the output goes to a file the simulation does not keep.
      if (w.startsWith("2")) current.stderr = "discard";
      else current.stdout = "discard";
      if (w === "&>") current.stderr = "discard";
      i++;
    } else current.words.push(w);
  }
  if (current.words.length > 0) commands.push(current);
  return commands;
}

function notFound(shell: "sh" | "bash", name: string): ExecResult {
  return {
    stderr: shell === "bash" ? `bash: line 1: ${name}: command not found\n` : `sh: 1: ${name}: not found\n`,
    exitCode: 127,
  };
}

export async function runScript(
  context: CommandContext,
  shell: "sh" | "bash",
  script: string,
): Promise<ExecResult> {
  let stdout = "";
  let stderr = "";
  let status = 0;
  for (const command of parse(script)) {
    if ((command.after === "&&" && status !== 0) || (command.after === "||" && status === 0)) continue;
    const [name = "", ...args] = command.words;
    if (name === "exit") {
      const code = args[0] === undefined ? status : Number(args[0]);
      return { stdout, stderr, exitCode: Number.isInteger(code) ? code & 255 : 2 };
    }
    let result = await context.registry.runCommand(context, command.words);
    // A program the container lacks is the shell's "not found", not the runtime's.
    if (result.exitCode === 126 && result.stderr?.startsWith("OCI runtime exec failed")) {
      result = notFound(shell, name);
    }
    let out = result.stdout ?? "";
    let err = result.stderr ?? "";
    if (command.stderr === "stdout") [out, err] = [out + err, ""];
    if (command.stdout === "stderr") [out, err] = ["", err + out];
    if (command.stdout === "discard") out = "";
    if (command.stderr === "discard") err = "";
    stdout += out;
    stderr += err;
    status = result.exitCode ?? 0;
  }
  return { stdout, stderr, exitCode: status };
}
