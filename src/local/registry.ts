// Captures the functions that `df.app.orchestration` / `df.app.activity` register, by replacing
// `@azure/functions`' `app.generic` while the registering code runs (outside the host it drops them).
import { createRequire } from "node:module";

export type RegisteredHandler = (trigger: unknown, context: unknown) => Promise<unknown>;

export interface Registration {
  readonly name: string;
  /** The trigger type, e.g. `orchestrationTrigger`, `activityTrigger`, `httpTrigger`. */
  readonly kind: string;
  readonly handler: RegisteredHandler;
  /** The trigger's options as registered (an HTTP route and methods, a timer's schedule). */
  readonly trigger: Readonly<Record<string, unknown>>;
}

export class Registry {
  readonly #entries = new Map<string, Registration>();

  add(registration: Registration): void {
    this.#entries.set(registration.name, registration);
  }

  get(name: string, kind: string): Registration {
    const found = this.#entries.get(name);
    if (!found || found.kind !== kind) throw new Error(`No ${kind} function named "${name}" is registered`);
    return found;
  }

  names(kind: string): string[] {
    return [...this.#entries.values()].filter((r) => r.kind === kind).map((r) => r.name);
  }
}

type Register = (name: string, options: unknown) => void;

interface AppObject {
  generic: Register;
  [trigger: string]: unknown;
}

// `app.http`/`app.timer`/`app.eventGrid` call the bundle's own `generic`, not the exported property,
// so each is replaced too; their options become a trigger of type `<kind>Trigger`.
const TRIGGER_SHORTHANDS = ["http", "timer", "eventGrid"] as const;

// durable-functions is CommonJS and requires `@azure/functions`; patch that same module instance.
function functionsApp(): AppObject {
  const require = createRequire(import.meta.url);
  const mod: unknown = require("@azure/functions");
  const app = isRecord(mod) ? mod.app : undefined;
  if (!isRecord(app) || typeof app.generic !== "function")
    throw new Error("@azure/functions has no app.generic");
  return app as unknown as AppObject;
}

function toRegistration(name: string, options: unknown): Registration {
  if (!isRecord(options) || !isRecord(options.trigger) || typeof options.handler !== "function") {
    throw new Error(`Function "${name}" was registered without a trigger and handler`);
  }
  const kind = options.trigger.type;
  if (typeof kind !== "string") throw new Error(`Function "${name}" has no trigger type`);
  const fn = options.handler as (trigger: unknown, context: unknown) => unknown;
  return { name, kind, trigger: options.trigger, handler: async (trigger, context) => fn(trigger, context) };
}

/** Runs `load` (which calls `df.app.*` or imports modules that do) and returns what it registered. */
export async function captureRegistrations(
  load: () => Promise<void> | void,
  into: Registry = new Registry(),
): Promise<Registry> {
  const app = functionsApp();
  const originals = new Map<string, unknown>([["generic", app.generic]]);
  app.generic = (name, options) => into.add(toRegistration(name, options));
  for (const kind of TRIGGER_SHORTHANDS) {
    originals.set(kind, app[kind]);
    app[kind] = ((name, options) => {
      if (!isRecord(options)) throw new Error(`Function "${name}" was registered without options`);
      const { handler, ...trigger } = options;
      into.add(toRegistration(name, { trigger: { ...trigger, type: `${kind}Trigger` }, handler }));
    }) satisfies Register;
  }
  try {
    await load();
  } finally {
    for (const [key, original] of originals) app[key] = original;
  }
  return into;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
