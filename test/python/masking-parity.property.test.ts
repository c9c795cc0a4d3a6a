import { execFileSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecretMasker, SecretRegistry } from "../../sdk/src/index.js";
import { ROOT } from "../helpers/deno.js";
import { PYTHON } from "../helpers/keptn-task-cli.js";

// Beyond the shared vectors: random secrets (plain, JSON documents, multi-line) and texts made of
// their forms, masked by the TS SDK and by keptn_task (one python3 process for the batch), whole
// and streamed in random pieces. Both must give the same output for every one.

/** Characters both runtimes classify alike (no recent Unicode: repr() follows its tables). */
const char = fc.oneof(
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }),
  fc.constantFrom(
    "é",
    "中",
    "😀",
    "\u00a0",
    "\u200b",
    "\u0085",
    "\ufeff",
    "\u001c",
    "\u2028",
    "'",
    '"',
    "\\",
    "/",
    "+",
    "=",
    "~",
    "%",
    " ",
    "\n",
    "\r",
    "\t",
  ),
);
const piece = fc.string({ unit: char, minLength: 1, maxLength: 12 });
const number = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom("1.50", "12.50", "1E5", "1e21", "0.0000001234", "-0", "100e-2"),
);
const secret = fc.oneof(
  piece,
  fc.array(piece, { minLength: 2, maxLength: 3 }).map((lines) => lines.join("\n")),
  fc
    .dictionary(
      fc.string({ maxLength: 4 }),
      fc.oneof(
        piece.map((s) => JSON.stringify(s)),
        number,
      ),
      {
        maxKeys: 3,
      },
    )
    .map(
      (o) =>
        `{${Object.entries(o)
          .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
          .join(",")}}`,
    ),
);

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
/** Lone surrogates as U+FFFD (encodeURIComponent throws on them). */
const wellFormed = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/** Text made of the secrets in forms programs print them, and filler. */
const textFor = (secrets: string[]) =>
  fc
    .array(
      fc.oneof(
        piece,
        fc.constantFrom(...secrets),
        fc.constantFrom(...secrets).map((s) => JSON.stringify(s)),
        fc.constantFrom(...secrets).map((s) => JSON.stringify(JSON.stringify(s))),
        fc.constantFrom(...secrets).map((s) => encodeURIComponent(wellFormed(s))),
        fc.constantFrom(...secrets).map((s) => b64(`user:${s}`)),
        fc.constantFrom(...secrets).map((s) => b64(`u:${s}`)),
        fc.constantFrom(...secrets).map((s) => s.split("\n")[0] ?? ""),
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join(""));

const cases = fc.sample(
  fc
    .array(secret, { minLength: 1, maxLength: 3 })
    .chain((secrets) =>
      fc.tuple(
        fc.constant(secrets),
        textFor(secrets),
        fc.array(fc.nat({ max: 400 }), { maxLength: 5 }),
      ),
    ),
  { numRuns: 400, seed: 20261129 },
);

const MASK_IN_PYTHON = `
import json, sys
from keptn_task import SecretMasker, SecretRegistry
out = []
for secrets, text, points in json.load(sys.stdin):
    registry = SecretRegistry()
    for secret in secrets:
        registry.register(secret)
    masker = SecretMasker(registry)
    streamed, last = [], 0
    for point in [*points, len(text)]:
        streamed.append(masker.write(text[last:point]))
        last = point
    out.append([registry.mask(text), "".join(streamed) + masker.end()])
sys.stdout.write(json.dumps(out))
`;

describe("keptn_task masks as the TS SDK does (property-based)", () => {
  it("gives the TS SDK's output for random secrets and texts, whole and streamed", () => {
    // Split points in UTF-16 code units for TS; Python gets the same cut in code points.
    const inputs = cases.map(([secrets, text, cuts]) => {
      const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))]
        .sort((a, b) => a - b)
        .filter((point) => !/[\udc00-\udfff]/.test(text.charAt(point)));
      return { secrets, text, points };
    });
    const python: [string, string][] = JSON.parse(
      execFileSync(PYTHON, ["-c", MASK_IN_PYTHON], {
        input: JSON.stringify(
          inputs.map(({ secrets, text, points }) => [
            secrets,
            text,
            points.map((point) => [...text.slice(0, point)].length),
          ]),
        ),
        encoding: "utf8",
        env: { PYTHONPATH: join(ROOT, "sdk-python"), PYTHONDONTWRITEBYTECODE: "1" },
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    const differences: unknown[] = [];
    inputs.forEach(({ secrets, text, points }, i) => {
      const registry = new SecretRegistry();
      for (const s of secrets) registry.register(s);
      const masker = new SecretMasker(registry);
      let streamed = "";
      let last = 0;
      for (const point of [...points, text.length]) {
        streamed += masker.write(text.slice(last, point));
        last = point;
      }
      const ts = [registry.mask(text), streamed + masker.end()];
      if (JSON.stringify(ts) !== JSON.stringify(python[i]))
        differences.push({ secrets, text, ts, python: python[i] });
    });
    expect(differences).toEqual([]);
    expect(python).toHaveLength(cases.length);
  });
});
