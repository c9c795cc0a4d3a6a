import { describe, expect, it } from "vitest";
import { localTags } from "../../scripts/images/bake.mjs";
import { maxDenoOverFloor, measure } from "../../scripts/images/size.mjs";

describe("the deno-runtime image", () => {
  it("is at most 1.15 times its floor, the Deno binary and the glibc libraries it links to", () => {
    const { floor, images } = measure();
    expect(floor.files.map((file) => file.path)).toContain("/usr/bin/deno");
    expect(floor.files.some((file) => /\/libc\.so\.6$/.test(file.path))).toBe(true);
    const deno = images.find((image) => image.name === "deno-runtime");
    expect(deno?.tag).toBe(localTags["deno-runtime"]);
    expect(maxDenoOverFloor).toBe(1.15);
    expect(deno?.bytes).toBeLessThanOrEqual(floor.bytes * maxDenoOverFloor);
  });
});
