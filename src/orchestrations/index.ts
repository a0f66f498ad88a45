// Every orchestration module of the app, registered at once: the Functions host (functions/) and the
// local runtime (serve, the CLI, the tests) see the same set of orchestrators and activities.
import { backupInstanceModule } from "./backup-instance.js";
import type { EnvironmentProvider } from "./environment.js";
import { type OrchestrationModule, registerModules } from "./module.js";
import { notifyJobModule } from "./notify-job.js";
import { restoreModule } from "./restore.js";
import { restoreHooksModule } from "./restore-hooks.js";
import { restoreVolumeModule } from "./restore-volume.js";
import { retentionModule } from "./retention.js";
import { scheduledBackupsModule } from "./scheduled-backups.js";

export const MODULES: readonly OrchestrationModule[] = [
  backupInstanceModule,
  scheduledBackupsModule,
  retentionModule,
  restoreModule,
  restoreVolumeModule,
  restoreHooksModule,
  notifyJobModule,
];

export function registerAll(provide: EnvironmentProvider): void {
  registerModules(MODULES, provide);
}
