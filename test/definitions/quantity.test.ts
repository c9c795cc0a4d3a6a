// Kubernetes quantities as the API server stores them (resource.Quantity's canonical form), which
// is how a rendered Job shows the emptyDir sizeLimit Keptn copies from resources.limits.memory.
import { describe, expect, it } from "vitest";
import { canonicalQuantity } from "../../sdk/src/definitions/job-rules.js";

describe("canonicalQuantity", () => {
  it.each([
    ["0.5Gi", "512Mi"],
    ["1Gi", "1Gi"],
    ["1.5Gi", "1536Mi"],
    ["1024Mi", "1Gi"],
    ["100Ki", "100Ki"],
    ["0.5Ki", "512"],
    ["1.5", "1500m"],
    ["0.1", "100m"],
    ["2000M", "2G"],
    ["1500", "1500"],
    ["1000", "1k"],
    ["1e3", "1e3"],
    ["0", "0"],
    [2, "2"],
    ["not-a-quantity", "not-a-quantity"],
  ])("writes %s as %s", (quantity, stored) => {
    expect(canonicalQuantity(quantity)).toBe(stored);
  });
});
