// API cases: masking at its limits: a standalone logger, large numbers, deep nesting, the forms
// Python prints, long leaves.
import assert from "node:assert/strict";
import { createLogger, SecretMasker, SecretRegistry, z } from "../../../sdk/src/index.js";
import { type ApiCase, capture, makeTask } from "./helpers.js";

export const maskingLimitCases: ApiCase[] = [
  {
    name: "masks registered secrets in a standalone logger",
    run() {
      const out = capture();
      const secrets = new SecretRegistry();
      secrets.register("zz-top-secret");
      createLogger({ destination: out, secrets, name: "runner" }).info("value zz-top-secret");
      const line = JSON.parse(out.lines[0] ?? "{}");
      assert.equal(line.msg, "value ***");
      assert.equal(line.name, "runner");
    },
  },
  {
    name: "masks a JSON number leaf beyond 2^53 by its exact digits, not JSON.parse's rounding",
    run() {
      const secrets = new SecretRegistry();
      secrets.register('{"account":98765432109876543210,"rate":12.50}');
      assert.equal(secrets.mask("account 98765432109876543210"), "account ***");
      assert.equal(secrets.mask("rate 12.50 or 12.5"), "rate *** or ***");
    },
  },
  {
    name: "registers a SECURE_DATA nested 100,000 levels deep without a stack overflow",
    run() {
      const deep = `${"[".repeat(100_000)}"deep-leaf-secret"${"]".repeat(100_000)}`;
      const { t, out } = makeTask({ SECURE_DATA: deep }, { secureData: z.unknown() });
      t.log.info("leaf deep-leaf-secret");
      assert.match(out.text(), /"msg":"leaf \*\*\*"/);
    },
  },
  {
    name: "masks the forms Python prints: repr with both quotes and control characters, quote() with safe='/'",
    run() {
      const secrets = new SecretRegistry();
      secrets.register(JSON.stringify({ a: `it's"q1`, b: "tab\there\x07", c: "Ab3/xY+9kq==" }));
      // print(repr(value)), print(dict), urllib.parse.quote(value) as Python writes them
      assert.equal(secrets.mask(`'it\\'s"q1'`), "'***'");
      assert.equal(secrets.mask("{'b': 'tab\\there\\x07'}"), "{'b': '***'}");
      assert.equal(secrets.mask("GET /x?c=Ab3/xY%2B9kq%3D%3D"), "GET /x?c=***");
    },
  },
  {
    name: "masks the first 10,000 characters of a long leaf, as console.log prints an object holding it",
    run() {
      const secrets = new SecretRegistry();
      const long = `k${"0123456789abcdef".repeat(700)}`;
      secrets.register(JSON.stringify({ long }));
      for (const quote of ["'", '"']) {
        const printed = `{ long: ${quote}${long.slice(0, 10_000)}${quote}... 1201 more characters }`;
        assert.equal(secrets.mask(printed), "{ long: ***... 1201 more characters }");
      }
    },
  },
  {
    name: "masks the whole value at any length, but no piece or encoding shorter than 4 characters or only white space",
    run() {
      const short = new SecretRegistry();
      short.register("e");
      assert.equal(short.mask("ZZZ eel"), "ZZZ ******l");
      const lines = new SecretRegistry();
      lines.register("line-one\n    \n\t\t\nline-two");
      assert.equal(lines.mask("    indented\n\t\ttabbed line-one"), "    indented\n\t\ttabbed ***");
    },
  },
  {
    name: "keeps a log line valid JSON when a number leaf of the secret is masked in it",
    run() {
      const out = capture();
      const secrets = new SecretRegistry();
      secrets.register(JSON.stringify({ pin: 987654, user: "u-12\\" }));
      const log = createLogger({ destination: out, secrets });
      log.info({ pin: 987654, other: 19876543, user: "u-12\\", quoted: 'u-12"' }, "pin 987654");
      const line = JSON.parse(out.lines[0] ?? "{}");
      assert.equal(line.pin, "***");
      assert.equal(line.other, "***");
      assert.equal(line.user, "***");
      assert.equal(line.msg, "pin ***");
      assert.doesNotMatch(out.text(), /987654|u-12/);
    },
  },
  {
    name: "masks a secret from the first read after it is registered, whichever read that is",
    run() {
      // Forms are computed on first use (SecretRegistry.settle): every way of reading the
      // registry must see a value registered just before.
      const reads: Array<[string, (secrets: SecretRegistry) => unknown, unknown]> = [
        ["mask", (s) => s.mask("a wq-secret-71 b"), "a *** b"],
        ["maskJson", (s) => s.maskJson('{"k":"wq-secret-71"}'), '{"k":"***"}'],
        ["maskPart", (s) => s.maskPart("a wq-secret-71", true, 0).out, "a ***"],
        ["safeCutIndex", (s) => s.safeCutIndex("a wq-sec"), 2],
        ["longest", (s) => s.longest >= "wq-secret-71".length, true],
        ["size", (s) => s.size, 1],
      ];
      for (const [name, read, expected] of reads) {
        const secrets = new SecretRegistry();
        secrets.register("wq-secret-71");
        assert.deepEqual(read(secrets), expected, name);
      }
      // A streaming masker made before the value was registered masks it too.
      const secrets = new SecretRegistry();
      const masker = new SecretMasker(secrets);
      secrets.register("wq-secret-71");
      assert.equal(masker.write("x wq-secret-71 y") + masker.end(), "x *** y");
      const settled = new SecretRegistry();
      settled.register("wq-secret-71");
      settled.settle();
      assert.equal(settled.mask("wq-secret-71"), "***");
    },
  },
];
