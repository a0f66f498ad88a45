// The limiter that keeps a report's manifest downloads, across all its instances, within a bound.
import { describe, expect, it } from "vitest";
import { limiter } from "../../src/health/inventory.js";

describe("limiter", () => {
  it("never runs more than its concurrency at once, and runs everything", async () => {
    const limit = limiter(3);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, i % 4));
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
  });
});
