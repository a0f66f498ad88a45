// Secrets: service-account token Secrets are skipped, because the target cluster's token
// controller issues tokens signed by its own key; a restored one would be rejected or orphaned.
import type { RestoreItemAction } from "./types.js";

export const secretAction: RestoreItemAction = {
  name: "secret",
  appliesTo: { group: "", resources: ["secrets"] },
  execute(item) {
    if (item.type === "kubernetes.io/service-account-token") {
      return { skip: "service-account token Secrets are issued anew by the target cluster" };
    }
    return {};
  },
};
