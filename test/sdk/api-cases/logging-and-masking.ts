// API cases: the task's log lines and the masking of secrets in them and in streams.
import assert from "node:assert/strict";
import { createMaskingStream, SecretMasker, SecretRegistry, z } from "../../../sdk/src/index.js";
import { type ApiCase, CONTEXT, makeTask } from "./helpers.js";

export const loggingCases: ApiCase[] = [
  {
    name: "binds app, workload, version, task type and trace id to every log line",
    run() {
      const { t, out } = makeTask({ KEPTN_CONTEXT: JSON.stringify(CONTEXT) });
      t.log.info({ step: 1 }, "hello");
      const line = JSON.parse(out.lines[0] ?? "{}");
      assert.equal(line.msg, "hello");
      assert.equal(line.level, "info");
      assert.equal(line.app, "podtato-head");
      assert.equal(line.workload, "podtato-head-entry");
      assert.equal(line.version, "0.3.1");
      assert.equal(line.taskType, "pre");
      assert.equal(line.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
      assert.equal(line.step, 1);
    },
  },
  {
    name: "masks SECURE_DATA in logs: whole, JSON leaves, lines, JSON-escaped and base64 forms",
    run() {
      const secret = JSON.stringify({ user: "deploy-bot", token: 'tok"en\\1234', pin: 987654 });
      const multiLine = "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34\nGkxFhD90vcN\n-----END KEY-----";
      const { t, out, secrets } = makeTask({ SECURE_DATA: secret });
      secrets.register(multiLine);
      const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
      t.log.info({ secureData: t.secureData }, `whole ${secret}`);
      t.log.info({ leaf: "deploy-bot", escaped: 'tok"en\\1234' }, "pin 987654");
      t.log.warn(`b64 ${b64(secret)} leaf64 ${b64("deploy-bot")}`);
      t.log.error(new Error(`key ${multiLine}`), `line GkxFhD90vcN and ${b64(multiLine)}`);
      const text = out.text();
      for (const needle of [
        "deploy-bot",
        'tok\\"en',
        "987654",
        "MIIBOgIBAAJBAKj34",
        "GkxFhD90vcN",
        b64(secret).slice(0, 20),
        b64("deploy-bot").replace(/=+$/, ""),
        b64(multiLine).slice(0, 20),
      ]) {
        assert.ok(!text.includes(needle), `log output contains "${needle}": ${text}`);
      }
      assert.equal(out.lines.length, 4);
      assert.match(text, /\*\*\*/);
    },
  },
  {
    name: "masks a 1 MiB secret without failing and without quoting it anywhere",
    run() {
      const line = "MIIEowIBAAKCAQEA7bq98".padEnd(64, "x");
      const secret = Array.from(
        { length: 16_384 },
        (_, i) => `${line.slice(0, 58)}${String(i).padStart(6, "0")}`,
      ).join("\n");
      const { t, out } = makeTask({ SECURE_DATA: secret });
      t.log.info(`dump ${secret.slice(0, 5000)} and line ${secret.split("\n")[9000]}`);
      const text = out.text();
      assert.ok(!text.includes("009000"), "a line of the secret is visible");
      assert.match(text, /"msg":"dump \*\*\*/);
      assert.ok(text.length < 5000);
    },
  },
  {
    name: "masks the values a secureData schema produces, such as a decoded token",
    run() {
      const { t, out } = makeTask(
        {
          SECURE_DATA: JSON.stringify({
            token: btoa("decoded-super-secret"),
            pw: "  padded-password  ",
          }),
        },
        {
          secureData: z.object({
            token: z.string().transform((v) => atob(v)),
            pw: z.string().trim(),
          }),
        },
      );
      const secure = t.secureData as unknown as { token: string; pw: string };
      assert.equal(secure.token, "decoded-super-secret");
      t.log.info({ token: secure.token, pw: secure.pw }, "using them");
      assert.doesNotMatch(out.text(), /decoded-super-secret|padded-password/);
    },
  },
  {
    name: "masks a secret inside base64 of larger data, as in an HTTP Basic header",
    run() {
      const secrets = new SecretRegistry();
      secrets.register("hunter22secret");
      for (const user of ["bob1", "admin", "ab"]) {
        const header = btoa(`${user}:hunter22secret`);
        const masked = secrets.mask(`Authorization: Basic ${header}`);
        assert.notEqual(masked, `Authorization: Basic ${header}`, `not masked after "${user}:"`);
      }
    },
  },
  {
    name: "masks Python's escaped JSON, form encoding and lines of a JSON leaf",
    run() {
      const secrets = new SecretRegistry();
      secrets.register(
        JSON.stringify({
          pw: "pässwörd!(x)",
          key: "-----BEGIN-----\r\nAAAABBBBCCCC\r\n-----END-----",
        }),
      );
      assert.equal(secrets.mask('{"pw": "p\\u00e4ssw\\u00f6rd!(x)"}'), '{"pw": "***"}');
      assert.equal(secrets.mask("pw=p%C3%A4ssw%C3%B6rd%21%28x%29&a=1"), "pw=***&a=1");
      assert.equal(secrets.mask("  AAAABBBBCCCC"), "  ***");
    },
  },
  {
    name: "masks overlapping secrets as one range, leaving no part of either",
    run() {
      const secrets = new SecretRegistry();
      secrets.register("abcdefgh");
      secrets.register("efghijklmnop");
      assert.equal(secrets.mask("x abcdefghijklmnop y"), "x *** y");
    },
  },
  {
    name: "masks a secret split across two writes to the masking stream, even inside a UTF-8 character",
    async run() {
      const secrets = new SecretRegistry();
      secrets.register("pässwörd-42");
      const bytes = new TextEncoder().encode("before pässwörd-42 after\n");
      const chunks = [bytes.slice(0, 9), bytes.slice(9, 14), bytes.slice(14)];
      const stream = createMaskingStream({ secrets });
      const writer = stream.writable.getWriter();
      const reading = new Response(stream.readable).text();
      for (const chunk of chunks) await writer.write(chunk);
      await writer.close();
      assert.equal(await reading, "before *** after\n");
    },
  },
  {
    name: "holds back only what could be the start of a secret, and releases it at the end",
    run() {
      const secrets = new SecretRegistry();
      secrets.register("abcdef");
      const masker = new SecretMasker(secrets);
      assert.equal(masker.write("xx ab"), "xx ");
      assert.equal(masker.write("cd"), "");
      assert.equal(masker.write("ef yy ab"), "*** yy ");
      assert.equal(masker.end(), "ab");
    },
  },
];
