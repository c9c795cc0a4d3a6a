import { execFileSync } from "node:child_process";
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createLogger,
  createMaskingStream,
  SecretMasker,
  SecretRegistry,
} from "../../sdk/src/index.js";
import { PYTHON } from "../helpers/python.js";

// Random secrets (plain, unicode, JSON documents, multi-line) must never appear in the output of
// the logger or of the streaming masker, however the output is split into writes.

const text = (minLength = 0) => fc.string({ unit: "binary", minLength, maxLength: 24 });
const piece = text(4).filter((s) => s.trim().length >= 4 && !s.includes("*"));

const secretArb = fc.oneof(
  piece,
  fc
    .dictionary(fc.string({ minLength: 1, maxLength: 6 }), piece, { minKeys: 1, maxKeys: 4 })
    .map((o) => JSON.stringify(o)),
  fc.array(piece, { minLength: 2, maxLength: 4 }).map((lines) => lines.join("\n")),
);

/** The parts of a secret that must not be visible: itself, its JSON leaves and its lines. */
function visibleParts(secret: string): string[] {
  const parts = [secret, ...secret.split("\n").filter((line) => line.trim().length >= 4)];
  try {
    const parsed = JSON.parse(secret) as unknown;
    if (parsed !== null && typeof parsed === "object") {
      parts.push(
        ...Object.values(parsed as Record<string, string>).filter((leaf) => leaf.length >= 4),
      );
    }
  } catch {
    // not JSON
  }
  return parts;
}

const jsonEscaped = (s: string) => JSON.stringify(s).slice(1, -1);

describe("secret masking (property-based)", () => {
  it("masks a line of a secret that holds a bare carriage return (a counterexample found)", () => {
    const secret = "\u0000\r\u0000\u0000\n\u0000\u0000\u0000\u0000";
    const secrets = new SecretRegistry();
    secrets.register(secret);
    expect(secrets.mask("part \u0000\r\u0000\u0000 end")).toBe("part *** end");
  });

  it("never lets a random secret or any of its parts into a log line", () => {
    fc.assert(
      fc.property(secretArb, text(), (secret, surrounding) => {
        const secrets = new SecretRegistry();
        secrets.register(secret);
        const lines: string[] = [];
        const log = createLogger({ secrets, destination: { write: (line) => lines.push(line) } });
        log.info({ secret, nested: { value: secret } }, `${surrounding}${secret}${surrounding}`);
        for (const part of visibleParts(secret)) log.warn(`part ${part} end`);
        const output = lines.join("");
        for (const part of visibleParts(secret)) {
          expect(output).not.toContain(jsonEscaped(part));
          expect(output).not.toContain(part);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never lets a random secret through the streaming masker, whatever the split points", () => {
    fc.assert(
      fc.property(
        secretArb,
        text(),
        text(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (secret, before, after, cuts) => {
          const secrets = new SecretRegistry();
          secrets.register(secret);
          const whole = `${before}${secret}${after}${secret}`;
          const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort(
            (a, b) => a - b,
          );
          const masker = new SecretMasker(secrets);
          let output = "";
          let last = 0;
          for (const point of [...points, whole.length]) {
            output += masker.write(whole.slice(last, point));
            last = point;
          }
          output += masker.end();
          expect(output).toBe(secrets.mask(whole));
          for (const part of visibleParts(secret)) expect(output).not.toContain(part);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never lets several random secrets through a byte stream split at random byte offsets", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            secretArb,
            fc
              .string({ unit: "binary", minLength: 40, maxLength: 400 })
              .filter((v) => v.trim().length >= 4 && !v.includes("*")),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        text(),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (secretList, filler, cuts) => {
          const secrets = new SecretRegistry();
          for (const secret of secretList) secrets.register(secret);
          const whole = secretList.map((secret) => `${filler}${secret}`).join("\n");
          const bytes = new TextEncoder().encode(whole);
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const stream = createMaskingStream({ secrets });
          const writer = stream.writable.getWriter();
          const reading = new Response(stream.readable).text();
          let last = 0;
          for (const point of [...points, bytes.length]) {
            await writer.write(bytes.slice(last, point));
            last = point;
          }
          await writer.close();
          const output = await reading;
          expect(output).toBe(secrets.mask(whole));
          for (const secret of secretList) {
            for (const part of visibleParts(secret)) expect(output).not.toContain(part);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

// Forms other programs print, checked against the programs themselves: Python (one python3
// process for a batch of random values) and Node's util.inspect.

/** Characters that print the same in Python 3.11 and in this Node (no recent Unicode). */
const char = fc.oneof(
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }),
  fc.constantFrom(
    "é",
    "ü",
    "中",
    "😀",
    "\u00a0",
    "\u200b",
    "\u0085",
    "'",
    '"',
    "\\",
    "/",
    "+",
    "=",
  ),
);
const formPiece = fc
  .string({ unit: char, minLength: 4, maxLength: 16 })
  .filter((s) => s.trim().length >= 4 && !s.includes("*"));

describe("secret masking of forms other programs print (property-based)", () => {
  it("masks every random leaf in Python's repr(), quote() and quote_plus() forms, and big number leaves by their digits", () => {
    const leaves = fc.sample(formPiece, { numRuns: 150, seed: 11 });
    const numbers = fc.sample(fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }), {
      numRuns: 50,
      seed: 11,
    });
    const printed = JSON.parse(
      execFileSync(
        PYTHON,
        [
          "-c",
          "import json, sys, urllib.parse as u\n" +
            "print(json.dumps([[repr(s), u.quote(s), u.quote_plus(s)] for s in json.load(sys.stdin)]))",
        ],
        { input: JSON.stringify(leaves), encoding: "utf8" },
      ),
    ) as string[][];
    leaves.forEach((leaf, i) => {
      const secrets = new SecretRegistry();
      secrets.register(JSON.stringify({ leaf, n: 1 }));
      for (const form of printed[i] ?? []) expect(secrets.mask(form)).not.toContain(leaf);
      const [repr] = printed[i] ?? [];
      expect(secrets.mask(repr ?? "").slice(1, -1)).toBe("***");
    });
    for (const number of numbers) {
      const secrets = new SecretRegistry();
      secrets.register(`{"n":${number}}`);
      expect(secrets.mask(`n=${number}.`)).toBe("n=***.");
      const lines: string[] = [];
      createLogger({ secrets, destination: { write: (line) => lines.push(line) } }).info(
        { n: Number(number), big: String(number) },
        `n ${number}`,
      );
      expect(JSON.parse(lines[0] ?? "")).toMatchObject({ big: "***", msg: "n ***" });
    }
  });

  it("masks the prefix console.log prints of a random leaf over 10,000 characters", () => {
    fc.assert(
      fc.property(formPiece, fc.nat({ max: 200 }), (unit, extra) => {
        const leaf = unit
          .replace(/[\r\n\u2028\u2029]/g, "x")
          .repeat(Math.ceil((10_001 + extra) / unit.length));
        const secrets = new SecretRegistry();
        secrets.register(JSON.stringify({ leaf }));
        const printed = inspect({ leaf });
        expect(printed).toMatch(/more characters/);
        expect(secrets.mask(printed)).toMatch(
          /^\{\s*leaf: \*\*\*(\.\.\.)? \d+ more characters?\s*\}$/,
        );
      }),
      { numRuns: 40 },
    );
  });
});

describe("secret masking of the prefix console.log prints", () => {
  it("masks it when the cut splits a surrogate pair after control characters (Node: \\x0E upper case, \\ud83d lower case)", () => {
    const unit = "\u000eéé\u0000\u0000\u0000\u0000é\u0000😀éé\u0000\u0000";
    const leaf = unit.repeat(Math.ceil(10_001 / unit.length));
    const secrets = new SecretRegistry();
    secrets.register(JSON.stringify({ leaf }));
    expect(secrets.mask(inspect({ leaf }))).toMatch(
      /^\{\s*leaf: \*\*\*\.\.\. 5 more characters\s*\}$/,
    );
  });
});

describe("secret masking of adversarial streams (property-based)", () => {
  const small = fc.string({
    unit: fc.constantFrom("a", "b", " ", "\n"),
    minLength: 1,
    maxLength: 8,
  });

  it("masks self-overlapping runs and white-space lines the same whatever the split points, holding back no more than the longest form", () => {
    fc.assert(
      fc.property(
        fc.array(small, { minLength: 1, maxLength: 3 }),
        fc.array(fc.oneof(small, fc.constantFrom("a".repeat(300), "ab".repeat(150), "  \n  ")), {
          maxLength: 12,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (secretList, parts, cuts) => {
          const secrets = new SecretRegistry();
          for (const secret of secretList) secrets.register(secret);
          const whole = parts.join("");
          const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort(
            (a, b) => a - b,
          );
          const masker = new SecretMasker(secrets);
          let output = "";
          let last = 0;
          for (const point of [...points, whole.length]) {
            output += masker.write(whole.slice(last, point));
            expect(masker.held).toBeLessThanOrEqual(Math.max(0, secrets.longest - 1));
            last = point;
          }
          output += masker.end();
          expect(output).toBe(secrets.mask(whole));
          for (const secret of secretList) {
            if (secret.trim() !== "") expect(output).not.toContain(secret);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes *** at once for an endless run of overlapping matches and holds back at most the longest form", () => {
    const secrets = new SecretRegistry();
    secrets.register("aaaa");
    const masker = new SecretMasker(secrets);
    const chunk = "a".repeat(64 * 1024);
    expect(masker.write(`start ${chunk}`)).toBe("start ***");
    for (let i = 0; i < 32; i++) {
      expect(masker.write(chunk)).toBe("");
      expect(masker.held).toBeLessThan(secrets.longest);
    }
    expect(masker.write(" end") + masker.end()).toBe(" end");
  });
});
