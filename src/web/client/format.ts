// How figures and states read on the page: sizes in binary units, durations, UTC times, and
// states as words with a symbol (colour only repeats what the words say).
import { type DomElement, h } from "./dom.js";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function bytes(value: number): string {
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < UNITS.length - 1) {
    size /= 1024;
    unit++;
  }
  return unit === 0 ? `${size} B` : `${size.toFixed(size < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "2026-11-25 15:24:11 UTC", or "" for no time. */
export function time(iso: string | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

const SYMBOLS: Record<string, string> = {
  Healthy: "✓",
  Succeeded: "✓",
  Warning: "!",
  PartiallySucceeded: "!",
  InProgress: "…",
  Skipped: "–",
  Unhealthy: "✗",
  Failed: "✗",
  Cancelled: "✗",
};

/** A state as a word with its symbol; the class only colours it. */
export function state(value: string): DomElement {
  const symbol = SYMBOLS[value];
  return h("span", { class: `state-${value}` }, symbol ? `${symbol} ${value}` : value);
}
