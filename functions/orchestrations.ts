// Registers every durable orchestrator and activity with the Functions host.
import { registerAll } from "../src/orchestrations/index.js";
import { provideEnvironment } from "./environment.js";

registerAll(provideEnvironment);
