// Resource quantities ("10Gi", "500M", "1.5Ti") as the API writes them, turned into the whole GiB
// that Azure disks are sized in.
const binary: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimal: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** Bytes of a quantity; undefined when it is not one. */
export function parseQuantity(quantity: unknown): number | undefined {
  if (typeof quantity === "number") return quantity;
  if (typeof quantity !== "string") return undefined;
  const match = /^([+-]?[0-9.]+)(?:[eE]([+-]?[0-9]+))?([a-zA-Z]*)$/.exec(quantity.trim());
  if (!match) return undefined;
  const number = Number(match[1]) * 10 ** Number(match[2] ?? 0);
  const suffix = match[3] ?? "";
  const factor = binary[suffix] ?? decimal[suffix];
  return factor === undefined || Number.isNaN(number) ? undefined : number * factor;
}

/** Whole GiB at least as large as the quantity, at least 1 (the CSI driver rounds up). */
export function ceilGiB(quantity: unknown): number {
  const bytes = parseQuantity(quantity) ?? 0;
  return Math.max(1, Math.ceil(bytes / 2 ** 30));
}
