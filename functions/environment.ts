// The one environment of this Functions app instance, built from app settings on first use.
import { environmentFromSettings } from "../src/orchestrations/app-settings.js";
import { once } from "../src/orchestrations/module.js";

export const provideEnvironment = once(async () => environmentFromSettings());
