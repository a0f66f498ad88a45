// The syntax checks of k8s.io/apimachinery/pkg/util/validation, with their exact messages: DNS
// names, qualified names, label values, config keys, port numbers and quantities.

function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  // Reproduces apimachinery's joining, double space before "or" included.
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${format}')`;
}

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const labelValueFmt = `(${qualifiedNameFmt})?`;
const configMapKeyFmt = "[-._a-zA-Z0-9]+";

const anchored = (format: string) => new RegExp(`^${format}$`);

export function isDns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!anchored(dns1123LabelFmt).test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        dns1123LabelFmt,
        "my-name",
        "123-abc",
      ),
    );
  }
  return errors;
}

export function isDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLenError(253));
  if (!anchored(dns1123SubdomainFmt).test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        "example.com",
      ),
    );
  }
  return errors;
}

export function isDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!anchored(dns1035LabelFmt).test(value)) {
    errors.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFmt,
        "my-name",
        "abc-123",
      ),
    );
  }
  return errors;
}

/** RBAC and a few other kinds only need a name usable as one URL path segment. */
export function isPathSegmentName(value: string): string[] {
  if (value === "." || value === "..") return [`may not be '${value}'`];
  const errors: string[] = [];
  for (const illegal of ["/", "%"]) if (value.includes(illegal)) errors.push(`may not contain '${illegal}'`);
  return errors;
}

const qualifiedNameMessage =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isQualifiedName(value: string): string[] {
  const parts = value.split("/");
  const errors: string[] = [];
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? "";
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0) errors.push("prefix part must be non-empty");
    else errors.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameMessage, qualifiedNameFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (name.length > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!anchored(qualifiedNameFmt).test(name)) {
    errors.push(
      `name part ${regexError(qualifiedNameMessage, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`,
    );
  }
  return errors;
}

export function isValidLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!anchored(labelValueFmt).test(value)) {
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  }
  return errors;
}

export function isConfigMapKey(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLenError(253));
  if (!anchored(configMapKeyFmt).test(value)) {
    errors.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        configMapKeyFmt,
        "key.name",
        "KEY_NAME",
        "key-name",
      ),
    );
  }
  if (value === ".") errors.push("must not be '.'");
  else if (value === "..") errors.push("must not be '..'");
  else if (value.startsWith("..")) errors.push("must not start with '..'");
  return errors;
}

export function isValidPortNum(port: unknown): string[] {
  return typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535
    ? []
    : ["must be between 1 and 65535, inclusive"];
}

/** IANA service names, which named ports must be. */
export function isValidPortName(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 15) errors.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(name))
    errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (name.includes("--")) errors.push("must not contain consecutive hyphens");
  if (!/[a-z]/.test(name)) errors.push("must contain at least one letter (a-z)");
  if (name.startsWith("-") || name.endsWith("-")) errors.push("must not begin or end with a hyphen");
  return errors;
}

const quantityFormat = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A resource.Quantity's value (approximately, as a float), or the parser's error message. */
export function parseQuantity(text: unknown): { value: number } | { error: string } {
  const formatError = { error: `quantities must match the regular expression '${quantityFormat}'` };
  if (typeof text === "number") return { value: text };
  if (typeof text !== "string" || text.length === 0) return formatError;
  const match = new RegExp(quantityFormat).exec(text);
  if (!match) return formatError;
  const numeric = match[1] ?? "";
  const suffix = match[2] ?? "";
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(numeric)) return { error: "unable to parse quantity's numeric part" };
  const base = Number.parseFloat(numeric);
  const binary = binarySuffixes[suffix];
  if (binary !== undefined) return { value: base * binary };
  const decimal = decimalSuffixes[suffix];
  if (decimal !== undefined) return { value: base * decimal };
  const exponent = /^[eE]([-+]?\d+)$/.exec(suffix);
  if (exponent) return { value: base * 10 ** Number.parseInt(exponent[1] ?? "0", 10) };
  return { error: "unable to parse quantity's suffix" };
}
