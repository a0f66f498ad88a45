// How orchestration code is packaged: orchestrators are plain generator functions, activities plain
// async functions of (input, environment). `registerModules` hands them to durable-functions'
// `df.app.*`, which is what the Functions host reads and what the local runtime captures.
import * as df from "durable-functions";
import type { Environment, EnvironmentProvider } from "./environment.js";

export type Orchestrator = (context: df.OrchestrationContext) => Generator<df.Task, unknown, unknown>;

export type Activity<I = never, O = unknown> = (input: I, env: Environment) => Promise<O>;

export interface OrchestrationModule {
  readonly orchestrators?: Readonly<Record<string, Orchestrator>>;
  // `never` input: an activity of any input type fits (parameters are contravariant); each one
  // declares its own, and the registration hands it what the orchestrator sent.
  readonly activities?: Readonly<Record<string, Activity<never, unknown>>>;
}

export function registerModules(modules: readonly OrchestrationModule[], provide: EnvironmentProvider): void {
  for (const module of modules) {
    for (const [name, orchestrator] of Object.entries(module.orchestrators ?? {})) {
      df.app.orchestration(name, orchestrator);
    }
    for (const [name, activity] of Object.entries(module.activities ?? {})) {
      df.app.activity(name, {
        handler: async (input: unknown) => activity(input as never, await provide()),
      });
    }
  }
}

/** An environment provider that builds once and hands the same environment to every caller. */
export function once(build: () => Promise<Environment>): EnvironmentProvider {
  let built: Promise<Environment> | undefined;
  return () => {
    built ??= build();
    built.catch(() => {
      built = undefined;
    });
    return built;
  };
}
