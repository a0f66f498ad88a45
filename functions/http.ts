// The HTTP API: one catch-all route under /api (function keys required on Azure), handled by the same
// handlers `aks-backup serve` runs locally.
import { app } from "@azure/functions";
import * as df from "durable-functions";
import { functionsApiHandler } from "../src/api/azure-functions.js";
import { provideEnvironment } from "./environment.js";

app.http("api", {
  route: "api/{*path}",
  methods: ["GET", "PUT", "POST", "DELETE"],
  authLevel: "function",
  extraInputs: [df.input.durableClient()],
  handler: functionsApiHandler(provideEnvironment),
});
