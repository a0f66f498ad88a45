// Pointing SDK clients at a custom ARM endpoint with its own CA, and a static credential that never
// shows its token.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { armClientOptions, StaticTokenCredential } from "../../src/azure/arm-endpoint.js";

describe("armClientOptions", () => {
  it("points a client at the endpoint and trusts the given CA next to the public roots", () => {
    const options = armClientOptions({ endpoint: "https://127.0.0.1:8443/", caCert: "PEM" });
    expect(options.endpoint).toBe("https://127.0.0.1:8443");
    const ca = options.agent?.options.ca;
    expect(Array.isArray(ca) && ca.at(-1) === "PEM" && ca.length > 1).toBe(true);
    options.agent?.destroy();
  });

  it("leaves TLS alone without a CA and sets the token audience when asked", () => {
    expect(
      armClientOptions({
        endpoint: "https://management.usgovcloudapi.net",
        audience: "https://management.usgovcloudapi.net/",
      }),
    ).toEqual({
      endpoint: "https://management.usgovcloudapi.net",
      credentials: { scopes: ["https://management.usgovcloudapi.net/.default"] },
    });
  });

  it("refuses plain HTTP, where a bearer token would travel in clear", () => {
    expect(() => armClientOptions({ endpoint: "http://127.0.0.1:8080" })).toThrow(/must use https/);
    expect(() => armClientOptions({ endpoint: "not a url" })).toThrow(/not a URL/);
  });
});

describe("StaticTokenCredential", () => {
  it("returns its token to the SDK and never shows it when logged or serialised", async () => {
    const credential = new StaticTokenCredential("s3cr3t-token");
    expect((await credential.getToken())?.token).toBe("s3cr3t-token");
    expect(JSON.stringify({ credential })).not.toContain("s3cr3t");
    expect(inspect(credential, { showHidden: true, depth: 5 })).not.toContain("s3cr3t");
  });
});
