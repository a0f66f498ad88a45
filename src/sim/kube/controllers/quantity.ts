// Resource quantities ("10Gi", "500M", "1.5Ti") as the API writes them, turned into the whole GiB
// that Azure disks are sized in; the parsing is the API server's own (validation/names.ts).
import { parseQuantity as parseQuantityText } from "../validation/names.js";

/** Bytes of a quantity; undefined when it is not one. */
export function parseQuantity(quantity: unknown): number | undefined {
  const parsed = parseQuantityText(typeof quantity === "string" ? quantity.trim() : quantity);
  return "value" in parsed ? parsed.value : undefined;
}

/** Whole GiB at least as large as the quantity, at least 1 (the CSI driver rounds up). */
export function ceilGiB(quantity: unknown): number {
  const bytes = parseQuantity(quantity) ?? 0;
  return Math.max(1, Math.ceil(bytes / 2 ** 30));
}
