// Where recovery points are stored: a Blob container reached by account URL (managed identity) or
// connection string, and the redaction that keeps a connection string's key out of every message.
import { z } from "zod";

export const DEFAULT_CONTAINER = "aks-backups";

// Connection-string fields that carry credentials (account key, SAS token).
const SECRET_FIELDS = /((?:AccountKey|SharedAccessSignature|SharedAccessKey)\s*=)[^;]*/gi;
// A SAS signature inside a URL.
const SAS_SIGNATURE = /([?&]sig=)[^&\s;]*/gi;
const CONTAINER = /^[a-z0-9](?!.*--)[-a-z0-9]{1,61}[a-z0-9]$/;

/** Replaces credentials in any text (connection strings, SAS URLs) with `***`. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_FIELDS, "$1***").replace(SAS_SIGNATURE, "$1***");
}

/** Why a connection string is unusable, never quoting it; undefined when it is usable. */
export function connectionStringProblem(connectionString: string): string | undefined {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(";")) {
    if (part.trim() === "") continue;
    const equals = part.indexOf("=");
    if (equals <= 0) {
      return "is not an Azure Storage connection string: expected Key=Value pairs separated by ';'";
    }
    fields.set(part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1));
  }
  if (fields.get("usedevelopmentstorage")?.toLowerCase() === "true") return undefined;
  if (fields.has("accountkey")) {
    return fields.has("accountname") ? undefined : "has an AccountKey but no AccountName";
  }
  if (fields.has("sharedaccesssignature")) {
    return fields.has("blobendpoint") ? undefined : "has a SharedAccessSignature but no BlobEndpoint";
  }
  return "carries no credential: it needs AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature";
}

export const storageSchema = z
  .strictObject({
    /** `https://<account>.blob.core.windows.net`; the app signs in with DefaultAzureCredential. */
    accountUrl: z.string().optional(),
    /** A connection string (Azurite, or an account key / SAS: prefer accountUrl with an identity). */
    connectionString: z.string().optional(),
    container: z.string().default(DEFAULT_CONTAINER),
  })
  .superRefine(
    (storage, ctx) => {
      if (typeof storage !== "object" || storage === null) return;
      const { accountUrl, connectionString, container } = storage;
      if (typeof accountUrl === "string" && typeof connectionString === "string") {
        ctx.addIssue({ code: "custom", message: "give accountUrl or connectionString, not both" });
      } else if (accountUrl === undefined && connectionString === undefined) {
        ctx.addIssue({
          code: "custom",
          message:
            "give accountUrl (with a managed identity) or connectionString; leave storage out for embedded storage",
        });
      }
      if (typeof accountUrl === "string") {
        const problem = accountUrlProblem(accountUrl);
        if (problem) ctx.addIssue({ code: "custom", path: ["accountUrl"], message: problem });
      }
      if (typeof connectionString === "string") {
        const problem = connectionStringProblem(connectionString);
        if (problem) ctx.addIssue({ code: "custom", path: ["connectionString"], message: problem });
      }
      if (typeof container === "string" && !CONTAINER.test(container)) {
        ctx.addIssue({
          code: "custom",
          path: ["container"],
          message: `"${container}" is not a container name: 3-63 lower-case letters, digits and single '-', starting and ending with a letter or digit`,
        });
      }
    },
    { when: () => true },
  );

function accountUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${redactSecrets(text)}" is not a URL (expected https://<account>.blob.core.windows.net)`;
  }
  if (url.search) {
    return "must not carry a query (a SAS token is a secret: use connectionString, or better a managed identity)";
  }
  if (url.protocol !== "https:") return "must be an https URL: a token is never sent in clear";
  return undefined;
}

export type Storage = z.output<typeof storageSchema>;
export type StorageInput = z.input<typeof storageSchema>;
