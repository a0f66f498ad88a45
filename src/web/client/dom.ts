// The small part of the browser DOM the page uses, typed here rather than through TypeScript's
// "dom" lib, which would leak browser globals into the server code compiled with it; and the only
// way the page builds elements: text goes in as text nodes, never parsed as HTML.

export interface DomEvent {
  preventDefault(): void;
}

export interface DomElement {
  textContent: string | null;
  hidden: boolean;
  readonly tagName: string;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  append(...nodes: Array<DomElement | string>): void;
  replaceChildren(...nodes: Array<DomElement | string>): void;
  remove(): void;
  addEventListener(type: string, listener: (event: DomEvent) => void): void;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
  focus(): void;
}

/** An input, select or button. */
export interface Control extends DomElement {
  value: string;
  disabled: boolean;
}

interface DomDocument {
  createElement(tag: string): DomElement;
  createElementNS(namespace: string, tag: string): DomElement;
  getElementById(id: string): DomElement | null;
  querySelector(selectors: string): DomElement | null;
}

export interface Browser {
  document: DomDocument;
  location: { href: string; hash: string; search: string };
  history: { replaceState(data: null, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  setTimeout(handler: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

export const browser = globalThis as unknown as Browser;

type Child = DomElement | string | number | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined>;

/** `h("td", { class: "num" }, "42")`: attributes set one by one, children appended as text or nodes. */
export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): DomElement {
  return fill(browser.document.createElement(tag), attributes, children);
}

const SVG = "http://www.w3.org/2000/svg";

export function svg(tag: string, attributes: Attributes = {}, ...children: Child[]): DomElement {
  return fill(browser.document.createElementNS(SVG, tag), attributes, children);
}

function fill(element: DomElement, attributes: Attributes, children: Child[]): DomElement {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(typeof child === "number" ? String(child) : child);
  }
  return element;
}

export function byId(id: string): DomElement {
  const element = browser.document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
}

export function control(id: string): Control {
  return byId(id) as Control;
}

/** A table with a caption and column headers; `numeric` columns are right-aligned. */
export function table(
  caption: string,
  columns: ReadonlyArray<string | { label: string; numeric: true }>,
  rows: DomElement[],
): DomElement {
  const headers = columns.map((column) =>
    typeof column === "string"
      ? h("th", { scope: "col" }, column)
      : h("th", { scope: "col", class: "num" }, column.label),
  );
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...headers)),
    h("tbody", {}, ...rows),
  );
}

export function button(label: string, onClick: () => void, attributes: Attributes = {}): DomElement {
  const element = h("button", { type: "button", ...attributes }, label);
  element.addEventListener("click", onClick);
  return element;
}
