// The backup center page (docs/web.md): static files only, so anonymous; the API calls it makes
// carry the function key the page was opened with.
import { app } from "@azure/functions";
import { functionsWebHandler, PAGE_ROUTE } from "../src/web/azure-functions.js";

app.http("web", {
  route: PAGE_ROUTE,
  methods: ["GET", "HEAD"],
  authLevel: "anonymous",
  handler: functionsWebHandler,
});
