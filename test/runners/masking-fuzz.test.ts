// A bounded fuzz of the safety promise through the real runner process: a random secret as
// SECURE_DATA, a python task that prints it one to three times, each in a random form (as
// written, JSON-escaped, repr, URL-quoted, base64), cut at random points into separate flushed
// writes on stdout or stderr, between random text. Whatever the shape, no form of the secret
// reaches the output, and the runner ends with the task's own exit code. Two to four prints per
// run check ~240 shapes in 80 runs, and interleave the two streams.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { PYTHON } from "../helpers/keptn-task-cli.js";
import { runRunner, scratch } from "../helpers/runner.js";

const files = scratch("keptn-task-fuzz-");
afterAll(() => files.cleanup());

// The task reads its instructions from DATA: which form, where to cut, which stream, the
// text around it, and the exit code to end with.
const TASK = files.file(
  "fuzz.py",
  `import base64, json, os, sys, urllib.parse
secret = os.environ["SECURE_DATA"]
plan = json.loads(json.loads(os.environ["DATA"])["plan"])
forms = {
    "raw": secret,
    "json": json.dumps(secret),
    "repr": repr(secret),
    "quote": urllib.parse.quote(secret),
    "base64": base64.b64encode(secret.encode()).decode(),
}
for shape in plan["prints"]:
    text = shape["before"] + forms[shape["form"]] + shape["after"]
    stream = sys.stderr if shape["stderr"] else sys.stdout
    last = 0
    for cut in sorted(set(shape["cuts"])) + [len(text)]:
        cut = min(cut, len(text))
        stream.write(text[last:cut])
        stream.flush()
        last = cut
sys.exit(plan["exit"])
`,
);

const FORMS = ["raw", "json", "repr", "quote", "base64"] as const;

/** The forms the task can print, computed the way Python does, to look for in the output. */
function printedForms(secret: string): string[] {
  const json = JSON.stringify(secret);
  const quote = encodeURIComponent(secret)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%2F", "/");
  return [secret, json.slice(1, -1), quote, Buffer.from(secret).toString("base64")];
}

// Printable secrets (Keptn takes SECURE_DATA from a Secret's key, usually a token or JSON), at
// least 8 characters so every form is one the README promises to mask.
const secretArb = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
      fc.constantFrom(..."+/=-_.:@%!'\"$ "),
      fc.constantFrom("é", "ß", "€", "日"),
    ),
    minLength: 8,
    maxLength: 40,
  })
  .filter((s) => s.trim() === s && /\S{4}/.test(s));

const shapeArb = fc.record({
  form: fc.constantFrom(...FORMS),
  before: fc.string({ maxLength: 20 }).map((s) => s.replace(/[\ud800-\udfff]/g, "")),
  after: fc.string({ maxLength: 20 }).map((s) => s.replace(/[\ud800-\udfff]/g, "")),
  cuts: fc.array(fc.nat({ max: 120 }), { maxLength: 6 }),
  stderr: fc.boolean(),
});

const planArb = fc.record({
  prints: fc.array(shapeArb, { minLength: 2, maxLength: 4 }),
  exit: fc.constantFrom(0, 0, 3),
});

describe("the runner's masking under a bounded fuzz", () => {
  it("never lets a form of SECURE_DATA through, whatever the form and the split points", async () => {
    await fc.assert(
      // Half the runs through the image's Python entry (keptn_task's masker), half through the
      // runner itself (the SDK's): both maskers of the python-runtime's output.
      fc.asyncProperty(secretArb, planArb, fc.boolean(), async (secret, plan, entry) => {
        const env = {
          SCRIPT: TASK,
          SECURE_DATA: secret,
          DATA: JSON.stringify({ plan: JSON.stringify(plan) }),
          KEPTN_TASK_PYTHON: PYTHON,
        };
        const result = await runRunner("python", env, { entry });
        const output = `${result.stdout}${result.stderr}`;
        for (const form of printedForms(secret)) {
          if (output.includes(form)) {
            throw new Error(`form ${JSON.stringify(form)} of the secret reached the output`);
          }
        }
        expect(result.code).toBe(plan.exit);
      }),
      { numRuns: 80, seed: Number(process.env.KEPTN_TASK_FUZZ_SEED ?? 20261129) },
    );
  }, 600_000);
});
