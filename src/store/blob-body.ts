// A blob read whole in one GET, with the ETag and metadata of the very version read: what every
// JSON document of the store needs to update it with a precondition (downloadToBuffer sizes its
// buffer from a separate request, so a write in between would cut the document off).
import type { BlobClient } from "@azure/storage-blob";

export interface BlobBody {
  body: Buffer;
  etag: string;
  metadata: Record<string, string>;
  lastModified?: Date;
}

/** Throws the SDK's RestError (404 for a missing blob) for the caller to interpret. */
export async function readBlob(
  blob: BlobClient,
  options: { abortSignal?: AbortSignal } = {},
): Promise<BlobBody> {
  const response = await blob.download(0, undefined, { abortSignal: options.abortSignal });
  const chunks: Buffer[] = [];
  for await (const chunk of response.readableStreamBody ?? []) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return {
    body: Buffer.concat(chunks),
    etag: response.etag ?? "",
    metadata: response.metadata ?? {},
    ...(response.lastModified ? { lastModified: response.lastModified } : {}),
  };
}
