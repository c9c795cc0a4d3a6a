import { describe, expect, it } from "vitest";
import {
  createResourceName,
  formatGoDuration,
  goJsonString,
  goJsonStringMap,
  parseGoDuration,
} from "../../sdk/src/contract/go-compat.js";

describe("Go compatibility", () => {
  it.each([
    ["plain", '"plain"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ["<b>&</b>", '"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"'],
    ["tab\tnl\ncr\r", '"tab\\tnl\\ncr\\r"'],
    ["\b\f\u0001", '"\\b\\f\\u0001"'],
    ["\u2028\u2029", '"\\u2028\\u2029"'],
    ["é ✓ 🎉", '"é ✓ 🎉"'],
    ["lone \ud800", '"lone \\ufffd"'],
  ])("encodes %j as encoding/json does", (input, expected) => {
    expect(goJsonString(input)).toBe(expected);
  });

  it("sorts map keys bytewise, upper case first", () => {
    expect(goJsonStringMap({ b: "1", a: "2", B: "3", é: "4", z: "5" })).toBe(
      '{"B":"3","a":"2","b":"1","z":"5","é":"4"}',
    );
  });

  it.each([
    ["5m", 300e9],
    ["90s", 90e9],
    ["1h30m", 5400e9],
    ["1.5h", 5400e9],
    ["500ms", 0.5e9],
    ["0", 0],
    ["5", undefined],
    ["five minutes", undefined],
    ["", undefined],
  ])("parses the duration %j", (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  // Expected texts are what Go's time.Duration.String() prints for the same values.
  it.each([
    ["5m", "5m0s"],
    ["90s", "1m30s"],
    ["1h30m", "1h30m0s"],
    ["1.5h", "1h30m0s"],
    ["1h", "1h0m0s"],
    ["500ms", "500ms"],
    ["1.5s", "1.5s"],
    ["2m0.25s", "2m0.25s"],
    ["1500us", "1.5ms"],
    ["999ns", "999ns"],
    ["1001ns", "1.001µs"],
    ["0", "0s"],
    ["0s", "0s"],
    ["25h", "25h0m0s"],
  ])("formats the duration %j as Go prints it, %j", (text, printed) => {
    expect(formatGoDuration(parseGoDuration(text) ?? Number.NaN)).toBe(printed);
  });

  it("shortens the first long part, never below the minimum, and lower-cases", () => {
    expect(createResourceName(20, 4, "Pre", "Deploy-Check", "12345")).toBe("pre-deploy-che-12345");
    expect(createResourceName(253, 80, "pre", "notify", "10000")).toBe("pre-notify-10000");
  });
});
