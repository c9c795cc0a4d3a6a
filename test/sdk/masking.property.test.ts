import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createLogger,
  createMaskingStream,
  SecretMasker,
  SecretRegistry,
} from "../../sdk/src/index.js";

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
