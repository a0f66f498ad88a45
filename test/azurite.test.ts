import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";

describe("embedded Azurite", () => {
  it("stores and returns a blob through the real storage SDK", async () => {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    const container = service.getContainerClient(`t${Date.now()}`);
    await container.create();
    const blob = container.getBlockBlobClient("hello.txt");
    await blob.upload("hello", 5);
    const body = await blob.downloadToBuffer();
    expect(body.toString()).toBe("hello");
  });
});
