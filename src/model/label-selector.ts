// Kubernetes label selector strings (`app=web,tier in (a,b),!legacy`) parsed into requirements with
// the API server's syntax and key/value rules, so bad selectors are refused at the boundary.
import { z } from "zod";

export type LabelOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";

/** One requirement; `key=v` is In [v] and `key!=v` is NotIn [v], as the API server reads them. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export class LabelSelectorError extends Error {
  readonly code = "InvalidLabelSelector";
  override name = "LabelSelectorError";
  /** 1-based character position of the problem in the selector. */
  readonly position: number;
  constructor(selector: string, position: number, problem: string) {
    super(`"${selector}" at position ${position}: ${problem}`);
    this.position = position;
  }
}

type TokenKind = "word" | "," | "(" | ")" | "=" | "==" | "!=" | "!" | ">" | "<" | "end";
interface Token {
  kind: TokenKind;
  text: string;
  position: number;
}

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < selector.length) {
    const char = selector.charAt(i);
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const two = selector.slice(i, i + 2);
    if (two === "==" || two === "!=") {
      tokens.push({ kind: two, text: two, position: i + 1 });
      i += 2;
    } else if (",()=!<>".includes(char)) {
      tokens.push({ kind: char as TokenKind, text: char, position: i + 1 });
      i++;
    } else {
      const start = i;
      while (i < selector.length && !/[\s,()=!<>]/.test(selector.charAt(i))) i++;
      tokens.push({ kind: "word", text: selector.slice(start, i), position: start + 1 });
    }
  }
  tokens.push({ kind: "end", text: "", position: selector.length + 1 });
  return tokens;
}

/** Parses a selector; the empty string selects everything (no requirements). */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const tokens = tokenize(selector);
  let index = 0;
  const peek = (): Token => tokens[index] ?? { kind: "end", text: "", position: selector.length + 1 };
  const next = (): Token => {
    const token = peek();
    index++;
    return token;
  };
  const fail = (token: Token, problem: string): never => {
    throw new LabelSelectorError(selector, token.position, problem);
  };
  const describe = (token: Token) => (token.kind === "end" ? "the end" : `"${token.text}"`);

  const key = (token: Token): string => {
    if (token.kind !== "word") fail(token, `expected a label key, found ${describe(token)}`);
    const problem = labelKeyProblem(token.text);
    if (problem) fail(token, problem);
    return token.text;
  };
  const value = (token: Token): string => {
    const problem = labelValueProblem(token.text);
    if (problem) fail(token, problem);
    return token.text;
  };
  const valueSet = (): string[] => {
    const open = next();
    if (open.kind !== "(") fail(open, `expected "(" to start the value list, found ${describe(open)}`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const token = next();
      if (token.kind === ")") {
        if (expectValue && values.length > 0) values.push("");
        break;
      }
      if (token.kind === "end") fail(token, `expected ")" to close the value list`);
      if (token.kind === ",") {
        if (expectValue) values.push("");
        expectValue = true;
        continue;
      }
      if (token.kind !== "word" || !expectValue) fail(token, `expected "," or ")", found ${describe(token)}`);
      values.push(value(token));
      expectValue = false;
    }
    if (values.length === 0) fail(open, `the value list of "in"/"notin" can't be empty`);
    return values;
  };

  const requirements: LabelRequirement[] = [];
  if (peek().kind === "end") return requirements;
  for (;;) {
    const first = next();
    if (first.kind === "!") {
      requirements.push({ key: key(next()), operator: "DoesNotExist", values: [] });
    } else {
      const name = key(first);
      const op = peek();
      if (op.kind === "," || op.kind === "end") {
        requirements.push({ key: name, operator: "Exists", values: [] });
      } else if (op.kind === "=" || op.kind === "==" || op.kind === "!=") {
        next();
        const token = peek();
        const text = token.kind === "word" ? value(next()) : "";
        if (token.kind !== "word" && token.kind !== "," && token.kind !== "end") {
          fail(token, `expected a value after "${op.text}", found ${describe(token)}`);
        }
        requirements.push({ key: name, operator: op.kind === "!=" ? "NotIn" : "In", values: [text] });
      } else if (op.kind === "word" && (op.text === "in" || op.text === "notin")) {
        next();
        requirements.push({ key: name, operator: op.text === "in" ? "In" : "NotIn", values: valueSet() });
      } else if (op.kind === ">" || op.kind === "<") {
        next();
        const token = next();
        if (token.kind !== "word" || !/^-?\d+$/.test(token.text)) {
          fail(token, `expected a whole number after "${op.text}", found ${describe(token)}`);
        }
        requirements.push({ key: name, operator: op.kind === ">" ? "Gt" : "Lt", values: [token.text] });
      } else {
        fail(
          op,
          `expected an operator (=, ==, !=, in, notin), "," or the end after "${name}", found ${describe(op)}`,
        );
      }
    }
    const separator = next();
    if (separator.kind === "end") return requirements;
    if (separator.kind !== ",")
      fail(separator, `expected "," between requirements, found ${describe(separator)}`);
    if (peek().kind === "end") fail(peek(), `expected a requirement after ","`);
  }
}

/** A label key: optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) {
    return `label key "${key}" has an invalid prefix: it must be a DNS subdomain such as example.com`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `invalid label key "${key}": the name part must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === "" || (value.length <= 63 && NAME.test(value))) return undefined;
  return `invalid label value "${value}": at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
}

/** True when the labels meet every requirement (no requirements: always). */
export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const own = labels ?? {};
  return requirements.every((requirement) => meetsRequirement(requirement, own));
}

function meetsRequirement(requirement: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case "In":
      return value !== undefined && requirement.values.includes(value);
    case "NotIn":
      return value === undefined || !requirement.values.includes(value);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const bound = Number(requirement.values[0]);
      return requirement.operator === "Gt" ? Number(value) > bound : Number(value) < bound;
    }
  }
}

/** Several selectors are OR-ed (Velero's orLabelSelectors); none at all selects everything. */
export function matchesAnySelector(
  selectors: readonly (readonly LabelRequirement[])[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return selectors.length === 0 || selectors.some((requirements) => matchesLabels(requirements, labels));
}

/** The selector string for the API server's `labelSelector` parameter. */
export function formatLabelSelector(requirements: readonly LabelRequirement[]): string {
  return requirements.map(formatRequirement).join(",");
}

function formatRequirement({ key, operator, values }: LabelRequirement): string {
  switch (operator) {
    case "Exists":
      return key;
    case "DoesNotExist":
      return `!${key}`;
    case "Gt":
      return `${key}>${values[0]}`;
    case "Lt":
      return `${key}<${values[0]}`;
    case "In":
      return values.length === 1 ? `${key}=${values[0]}` : `${key} in (${values.join(",")})`;
    case "NotIn":
      return values.length === 1 ? `${key}!=${values[0]}` : `${key} notin (${values.join(",")})`;
  }
}

/** A non-empty selector string that parses; an empty one would select everything, so it is refused. */
export function labelSelectorSchema() {
  return z.string().superRefine((selector, ctx) => {
    if (selector.trim() === "") {
      ctx.addIssue({ code: "custom", message: "an empty selector selects everything; remove it instead" });
      return;
    }
    try {
      parseLabelSelector(selector);
    } catch (error) {
      if (!(error instanceof LabelSelectorError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
    }
  });
}
