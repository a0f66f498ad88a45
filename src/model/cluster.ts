// A registered cluster: reached through a kubeconfig (+ context) or, for AKS, through its ARM id
// (credentials from ARM with DefaultAzureCredential); the ARM id also locates its disks and events.
import { z } from "zod";
import { managedClusterIdSchema } from "./arm-id.js";
import { nameSchema } from "./names.js";

export const clusterSchema = z
  .strictObject({
    name: nameSchema(),
    /** Path to a kubeconfig; relative paths are relative to the config file, `~` is the home directory. */
    kubeconfig: z.string().min(1).optional(),
    /** Context in the kubeconfig; absent = its current-context. */
    context: z.string().min(1).optional(),
    aksResourceId: managedClusterIdSchema.optional(),
    /** Client-side rate limit for this cluster; absent = the config's kube.qps / kube.burst. */
    qps: z.number().positive().optional(),
    burst: z.int().min(1).optional(),
  })
  .superRefine(
    (cluster, ctx) => {
      if (typeof cluster !== "object" || cluster === null) return;
      if (cluster.kubeconfig === undefined && cluster.aksResourceId === undefined) {
        ctx.addIssue({
          code: "custom",
          message: "give kubeconfig (a kubeconfig file) or aksResourceId (an AKS cluster's ARM id), or both",
        });
      }
      if (cluster.context !== undefined && cluster.kubeconfig === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["context"],
          message: "context selects a context of the kubeconfig, so it needs kubeconfig as well",
        });
      }
    },
    { when: () => true },
  );

export type Cluster = z.output<typeof clusterSchema>;
export type ClusterInput = z.input<typeof clusterSchema>;
