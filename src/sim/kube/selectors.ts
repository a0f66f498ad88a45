// Label selectors as kube-apiserver parses them (apimachinery's labels.Parse grammar), with its
// error wording, because clients show those messages to users verbatim.
import { badRequest } from "./status.js";

export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

type TokenKind =
  | "identifier"
  | "end"
  | "!"
  | "!="
  | "("
  | ")"
  | ","
  | "="
  | "=="
  | ">"
  | "<"
  | "in"
  | "notin";

interface Token {
  kind: TokenKind;
  literal: string;
}

const symbols: Record<string, TokenKind> = {
  "!": "!",
  "!=": "!=",
  "(": "(",
  ")": ")",
  ",": ",",
  "=": "=",
  "==": "==",
  ">": ">",
  "<": "<",
};
const specialChars = new Set(["=", "!", "(", ")", ",", ">", "<"]);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (specialChars.has(ch)) {
      let sym = ch;
      const two = input.slice(i, i + 2);
      if (symbols[two]) sym = two;
      tokens.push({ kind: symbols[sym] ?? "identifier", literal: sym });
      i += sym.length;
      continue;
    }
    let j = i;
    while (j < input.length && !specialChars.has(input.charAt(j)) && !/\s/.test(input.charAt(j))) j++;
    const word = input.slice(i, j);
    tokens.push({ kind: word === "in" ? "in" : word === "notin" ? "notin" : "identifier", literal: word });
    i = j;
  }
  tokens.push({ kind: "end", literal: "" });
  return tokens;
}

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const nameMessage =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueMessage =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function validateKey(key: string): void {
  const parts = key.split("/");
  const name = parts.length === 2 ? (parts[1] ?? "") : key;
  const prefix = parts.length === 2 ? parts[0] : undefined;
  let problem: string | undefined;
  if (parts.length > 2) {
    problem =
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  } else if (prefix !== undefined && (prefix.length === 0 || !dns1123Subdomain.test(prefix))) {
    problem =
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  } else if (name.length === 0) {
    problem = "name part must be non-empty";
  } else if (name.length > 63) {
    problem = "name part must be no more than 63 characters";
  } else if (!qualifiedNamePart.test(name)) {
    problem = nameMessage;
  }
  if (problem) throw new Error(`key: Invalid value: "${key}": ${problem}`);
}

function validateValues(key: string, operator: LabelOperator, values: string[]): void {
  if ((operator === "in" || operator === "notin") && values.length === 0) {
    throw new Error("values: Required value: for 'in', 'notin' operators, values set can't be empty");
  }
  if ((operator === "=" || operator === "==" || operator === "!=") && values.length !== 1) {
    throw new Error("values: Invalid value: exact-match compatibility requires one single value");
  }
  if (operator === "gt" || operator === "lt") {
    if (values.length !== 1 || !/^-?\d+$/.test(values[0] ?? "")) {
      throw new Error(
        `values[0]: Invalid value: "${values[0] ?? ""}": for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    }
    return;
  }
  values.forEach((v, i) => {
    if (v.length > 63 || !labelValuePattern.test(v)) {
      const why = v.length > 63 ? "must be no more than 63 characters" : valueMessage;
      throw new Error(`values[${i}][${key}]: Invalid value: "${v}": ${why}`);
    }
  });
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(valuesContext: boolean): Token {
    return this.contextual(this.tokens[this.pos] ?? { kind: "end", literal: "" }, valuesContext);
  }

  private next(valuesContext: boolean): Token {
    const t = this.peek(valuesContext);
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private contextual(t: Token, valuesContext: boolean): Token {
    return valuesContext && (t.kind === "in" || t.kind === "notin") ? { ...t, kind: "identifier" } : t;
  }

  parse(): LabelRequirement[] {
    const out: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek(true);
      if (t.kind === "end") return out;
      if (t.kind !== "identifier" && t.kind !== "!") {
        throw new Error(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        out.push(this.requirement());
      } catch (err) {
        throw new Error(`unable to parse requirement: ${(err as Error).message}`);
      }
      const after = this.next(true);
      if (after.kind === "end") return out;
      if (after.kind !== ",") throw new Error(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.kind !== "identifier" && following.kind !== "!") {
        throw new Error(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): LabelRequirement {
    let negated = false;
    let t = this.next(true);
    if (t.kind === "!") {
      negated = true;
      t = this.next(true);
    }
    if (t.kind !== "identifier") throw new Error(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    validateKey(key);
    const look = this.peek(true).kind;
    // `!key` ends the requirement whatever follows; the caller reports a trailing operator.
    if (negated) return { key, operator: "!", values: [] };
    if (look === "end" || look === ",") return { key, operator: "exists", values: [] };
    const op = this.next(false);
    let operator: LabelOperator;
    switch (op.kind) {
      case "in":
      case "notin":
      case "=":
      case "==":
      case "!=":
        operator = op.kind;
        break;
      case ">":
        operator = "gt";
        break;
      case "<":
        operator = "lt";
        break;
      default:
        throw new Error(`found '${op.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const values = operator === "in" || operator === "notin" ? this.setValues() : this.exactValue();
    validateValues(key, operator, values);
    return { key, operator, values };
  }

  private exactValue(): string[] {
    const look = this.peek(true);
    if (look.kind === "end" || look.kind === ",") return [""];
    const t = this.next(true);
    if (t.kind === "identifier") return [t.literal];
    throw new Error(`found '${t.literal}', expected: identifier`);
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.kind !== "(") throw new Error(`found '${open.literal}' expected: '('`);
    const look = this.peek(true);
    if (look.kind === ")") {
      this.next(true);
      return [""];
    }
    if (look.kind !== "identifier" && look.kind !== ",") {
      throw new Error(`found '${look.literal}', expected: ',', ')' or identifier`);
    }
    const values = new Set<string>();
    for (;;) {
      const t = this.next(true);
      if (t.kind === "identifier") {
        values.add(t.literal);
        const after = this.peek(true);
        if (after.kind === ",") {
          this.next(true);
          if (this.peek(true).kind === ")") {
            values.add("");
            this.next(true);
            break;
          }
          continue;
        }
        if (after.kind === ")") {
          this.next(true);
          break;
        }
        throw new Error(`found '${after.literal}', expected: ',' or ')'`);
      }
      if (t.kind === ",") {
        values.add("");
        const after = this.peek(true);
        if (after.kind === ")") {
          this.next(true);
          break;
        }
        continue;
      }
      throw new Error(`found '${t.literal}', expected: ',', or identifier`);
    }
    return [...values].sort();
  }
}

/** Parses a label selector; a syntax error is thrown as 400 BadRequest with the server's wording. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  try {
    return new Parser(lex(selector)).parse();
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  for (const r of requirements) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.operator) {
      case "exists":
        if (!has) return false;
        break;
      case "!":
        if (has) return false;
        break;
      case "=":
      case "==":
      case "in":
        if (!has || !r.values.includes(value ?? "")) return false;
        break;
      case "!=":
      case "notin":
        if (has && r.values.includes(value ?? "")) return false;
        break;
      case "gt":
      case "lt": {
        if (!has) return false;
        const n = Number.parseInt(value ?? "", 10);
        const bound = Number.parseInt(r.values[0] ?? "", 10);
        if (Number.isNaN(n)) return false;
        if (r.operator === "gt" ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}
