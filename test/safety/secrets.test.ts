/**
 * The one rule of what is secret and the catalogue of its forms (issue "Safety by construction",
 * cases 3 to 7): a generative run of forms x channels x split points through the real runner
 * (Python and Deno tasks) and the real command, and the cases the review found.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerSecrets, redactUrl, urlSecrets } from "../../sdk/src/contract/secret-rule.js";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { PYTHON, runCli } from "../helpers/keptn-task-cli.js";
import { runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-secrets-");
afterAll(() => tmp.cleanup());

// Each task prints every form of SECURE_DATA its runtime makes, each cut at the given points
// into separate flushed writes, on the channel asked for; it lists the forms it printed in a
// side file, so the test looks for exactly those.
const PY_TASK = tmp.file(
  "forms.py",
  `import base64, json, os, sys, urllib.parse
secret = os.environ["SECURE_DATA"]
plan = json.loads(os.environ["DATA"])
data = secret.encode()
def go(text):
    return text.replace("<", "\\\\u003c").replace(">", "\\\\u003e").replace("&", "\\\\u0026")
def lower(text):
    import re
    return re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), text)
def upper_u(text):
    import re
    return re.sub(r"\\\\u([0-9a-f]{4})", lambda m: "\\\\u" + m.group(1).upper(), text)
forms = [
    secret, json.dumps(secret), json.dumps(secret, ensure_ascii=False), json.dumps(json.dumps(secret)),
    repr(secret), urllib.parse.quote(secret), urllib.parse.quote_plus(secret), lower(urllib.parse.quote(secret)),
    base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode(), "Basic " + base64.b64encode(b"user:" + data).decode(),
    data.hex(), data.hex().upper(), repr(data), json.dumps(secret).replace("/", "\\\\/"), go(json.dumps(secret, ensure_ascii=False)),
    upper_u(json.dumps(secret)),
]
with open(plan["side"], "w") as side:
    json.dump(forms, side)
cuts = [int(c) for c in plan["cuts"].split(",")]
text = " | ".join(forms)
if plan["channel"] == "termination":
    with open(plan.get("log") or os.environ["KEPTN_TASK_TERMINATION_LOG"], "w") as log:
        log.write(text)
else:
    stream = sys.stderr if plan["channel"] == "stderr" else sys.stdout
    last = 0
    for cut in sorted(set(c % (len(text) + 1) for c in cuts)) + [len(text)]:
        stream.write(text[last:cut]); stream.flush(); last = cut
sys.exit(int(plan["exit"]))
`,
);
const DENO_TASK = tmp.file(
  "forms.ts",
  `const secret = Deno.env.get("SECURE_DATA") ?? "";
const plan = JSON.parse(Deno.env.get("DATA") ?? "{}");
const bytes = new TextEncoder().encode(secret);
const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const b64 = btoa(String.fromCharCode(...bytes));
let excerpt = "";
try { JSON.parse(secret); } catch (error) { excerpt = (error as Error).message; }
const forms = [
  secret, JSON.stringify(secret), JSON.stringify(JSON.stringify(secret)), encodeURIComponent(secret),
  encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  new URLSearchParams({ v: secret }).toString().slice(2), b64, hex, hex.toUpperCase(),
  Deno.inspect({ secret }), excerpt, JSON.stringify(secret).replaceAll("/", "\\\\/"),
];
Deno.writeTextFileSync(plan.side, JSON.stringify(forms));
const text = forms.join(" | ");
if (plan.channel === "termination") Deno.writeTextFileSync(plan.log, text);
else {
  const out = plan.channel === "stderr" ? Deno.stderr : Deno.stdout;
  const cuts = String(plan.cuts).split(",").map(Number).map((c) => c % (text.length + 1));
  let last = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(text.length)) {
    out.writeSync(new TextEncoder().encode(text.slice(last, cut)));
    last = cut;
  }
}
Deno.exit(Number(plan.exit));
`,
);

/** What the forms must never leave of the secret: the forms themselves, and its 10-character start. */
function leaks(output: string, forms: string[], secret: string): string[] {
  const found = forms.filter((form) => form.length >= 4 && output.includes(form));
  if (output.includes(secret.slice(0, 10))) found.push(`the start ${secret.slice(0, 10)}`);
  return found;
}

// Secrets that start with a letter (so V8 quotes an excerpt of them), with the characters that
// take every escape style: / < > & ' " % + space and non-ASCII.
const secretArb = fc
  .tuple(
    fc.constantFrom(..."abcdeghijkmopqrsuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    fc.string({
      unit: fc.oneof(
        fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
        fc.constantFrom(..."/<>&'\"%+-_.:@!$ "),
        fc.constantFrom("é", "ß", "€", "日"),
      ),
      minLength: 11,
      maxLength: 40,
    }),
  )
  .map(([first, rest]) => `${first}${rest}`.trim())
  .filter((s) => s.length >= 12);

const planArb = fc.record({
  channel: fc.constantFrom("stdout", "stderr", "termination"),
  cuts: fc.array(fc.nat({ max: 2000 }), { minLength: 1, maxLength: 12 }).map((a) => a.join(",")),
  exit: fc.constantFrom("0", "3"),
});

describe("forms x channels x split points through the real runner", () => {
  for (const [runtime, task] of [
    ["python", PY_TASK],
    ["deno", DENO_TASK],
  ] as const) {
    it(`lets no form of SECURE_DATA out of a ${runtime} task, on any channel, cut anywhere`, async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(secretArb, planArb, async (secret, plan) => {
          run += 1;
          const side = join(tmp.dir, `${runtime}-side-${run}.json`);
          const log = tmp.file(`${runtime}-log-${run}`, "");
          const result = await runRunner(runtime, {
            SCRIPT: task,
            SECURE_DATA: secret,
            DATA: JSON.stringify({ ...plan, side, log }),
            KEPTN_TASK_TERMINATION_LOG: log,
            KEPTN_TASK_PYTHON: PYTHON,
          });
          const forms = JSON.parse(readFileSync(side, "utf8")) as string[];
          const output = `${result.stdout}\n${result.stderr}\n${readFileSync(log, "utf8")}`;
          expect(leaks(output, forms, secret)).toEqual([]);
          expect(result.code).toBe(Number(plan.exit));
        }),
        { numRuns: 12, seed: Number(process.env.KEPTN_TASK_FUZZ_SEED ?? 20261207) },
      );
    }, 300_000);
  }
});

describe("forms x channels x split points through the real command", () => {
  const indented = readFileSync(PY_TASK, "utf8")
    .split("\n")
    .map((line) => `        ${line}`)
    .join("\n");
  const manifest = tmp.file(
    "k8s/forms.yaml",
    [
      "apiVersion: lifecycle.keptn.sh/v1",
      "kind: KeptnTaskDefinition",
      "metadata:",
      "  name: forms",
      "spec:",
      "  python:",
      "    secureParameters:",
      "      secret: forms-secret",
      "    inline:",
      "      code: |",
      indented,
      "",
    ].join("\n"),
  );

  it("lets no form out through keptn-task run: output, summary, -o json, --pretty", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        planArb,
        fc.constantFrom([], ["-o", "json"], ["--pretty"]),
        async (secret, plan, extra) => {
          run += 1;
          const side = join(tmp.dir, `cli-side-${run}.json`);
          const data = Object.entries({ ...plan, side }).flatMap(([k, v]) => [
            "--data",
            `${k}=${v}`,
          ]);
          const result = await runCli([
            "run",
            "forms",
            "-f",
            manifest,
            "--secret",
            secret,
            ...data,
            ...extra,
          ]);
          const forms = JSON.parse(readFileSync(side, "utf8")) as string[];
          expect(leaks(`${result.stdout}\n${result.stderr}`, forms, secret)).toEqual([]);
          expect(result.code).toBe(Number(plan.exit));
        },
      ),
      { numRuns: 6, seed: Number(process.env.KEPTN_TASK_FUZZ_SEED ?? 20261207) },
    );
  }, 300_000);
});

describe("secrets in an httpRef URL", () => {
  let server: FileServer;
  beforeAll(async () => {
    server = await startFileServer({
      "/env.py": "import os\nprint('SCRIPT is', os.environ['SCRIPT'])\n",
    });
  });
  afterAll(() => server.close());

  it("masks a secret-looking query value of SCRIPT that the task prints (runner)", async () => {
    const url = `${server.origin}/env.py?access_token=ghp-query-t0ken-1234&ref=main`;
    const result = await runRunner("python", { SCRIPT: url, KEPTN_TASK_PYTHON: PYTHON });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("ghp-query-t0ken-1234");
    expect(result.stdout).toContain("ref=main");
  });

  it("is one rule: every value urlSecrets calls secret is what redactUrl hides", () => {
    const urls = [
      "https://alice:p%40ss@host.example/x.ts?token=abc123&ref=main",
      "https://host.example/x.py?X-Amz-Signature=d34db33f&X-Amz-Date=20260101",
      "https://host.example/x.py?api_key=k3y+with+plus&page=2#sha256=00",
      "http:not a url //user:secret-part@host?session=s3ss10n",
    ];
    for (const url of urls) {
      const shown = redactUrl(url);
      for (const secret of urlSecrets(url)) expect(shown).not.toContain(secret);
    }
    expect(urlSecrets("https://host.example/x.ts?ref=main")).toEqual([]);
    // A file path is no URL: `?` and `@` are file name characters there.
    expect(urlSecrets("/var/data/q?token=x.ts")).toEqual([]);
    expect(urlSecrets("/var/data/user@host/x.ts")).toEqual([]);
  });

  it("has one copy: no other source file holds the list of secret-looking query names", () => {
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|py)$/.test(name)) sources.push(path);
      }
    };
    for (const dir of ["sdk/src", "runners/src", "sdk-python/keptn_task"]) walk(join(ROOT, dir));
    const holders = sources.filter((path) =>
      /token\|key\|secret\|sig/.test(readFileSync(path, "utf8")),
    );
    expect(holders.map((path) => path.slice(ROOT.length))).toEqual([
      "sdk/src/contract/secret-rule.ts",
    ]);
  });
});

/** A python definition that prints SECURE_DATA and fails with it in its reason. */
const FAILS = tmp.file(
  "k8s/fails.yaml",
  [
    "apiVersion: lifecycle.keptn.sh/v1",
    "kind: KeptnTaskDefinition",
    "metadata:",
    "  name: fails",
    "spec:",
    "  python:",
    "    secureParameters:",
    "      secret: fails-secret",
    "    inline:",
    "      code: |",
    "        import os, sys",
    '        print("token:", os.environ["SECURE_DATA"])',
    '        sys.exit("bad token " + os.environ["SECURE_DATA"])',
    "",
  ].join("\n"),
);

describe("credentials in OTEL_EXPORTER_OTLP_HEADERS", () => {
  it("masks the token after an authentication scheme that a task prints alone (runner)", async () => {
    const script = tmp.file(
      "task.ts",
      'const h = Deno.env.get("OTEL_EXPORTER_OTLP_HEADERS") ?? "";\n' +
        'console.log("token:", h.split(" ")[1]);\n' +
        'console.log("user:pass:", atob(h.split(",")[1]?.split(" ")[1] ?? ""));\n',
    );
    const result = await runRunner("deno", {
      SCRIPT: script,
      // Nothing listens there: the export gives up, the task's output is what is checked.
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
      OTEL_EXPORTER_OTLP_HEADERS:
        "authorization=Bearer hdr-t0ken-9f3a,x-basic=Basic dXNlcjpwYXNzLXdvcmQtNzc=",
    });
    expect(result.code).toBe(0);
    const output = result.stdout + result.stderr;
    expect(result.stdout).toContain("token: ***");
    expect(output).not.toContain("hdr-t0ken-9f3a");
    expect(output).not.toContain("pass-word-77");
  });

  it("masks the exporter's headers and endpoint credentials with export off too (runner)", async () => {
    const script = tmp.file(
      "otel-env.ts",
      'console.log(Deno.env.get("OTEL_EXPORTER_OTLP_ENDPOINT"), Deno.env.get("OTEL_EXPORTER_OTLP_HEADERS"));\n',
    );
    const result = await runRunner("deno", {
      SCRIPT: script,
      OTEL_SDK_DISABLED: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:C0llect0r-pw@127.0.0.1:9/?api_key=k3y-abc-123",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20hdr-t0ken-9f3a",
    });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/C0llect0r-pw|k3y-abc-123|hdr-t0ken-9f3a/);
    expect(result.stdout).toContain("http://***@127.0.0.1:9/?api_key=***");
  });

  it("calls the credentials after a scheme secret, and for Basic also what they decode to", () => {
    expect(headerSecrets("Bearer abc.def")).toEqual(["Bearer abc.def", "abc.def"]);
    expect(headerSecrets("Basic dXNlcjpwYXNz")).toEqual([
      "Basic dXNlcjpwYXNz",
      "dXNlcjpwYXNz",
      "user:pass",
      "pass",
    ]);
    expect(headerSecrets("plain-api-key")).toEqual(["plain-api-key"]);
    // Not base64 of text: the credentials as written only.
    expect(headerSecrets("Basic !!!")).toEqual(["Basic !!!", "!!!"]);
  });
});

describe("the command's channels", () => {
  const manifest = FAILS;
  const secret = "it's-a-s3cr3t/with<quotes>";

  it("masks a secret with a quote in --dry-run, before it shell-quotes it", async () => {
    const result = await runCli(["run", "fails", "-f", manifest, "--secret", secret, "--dry-run"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("SECURE_DATA=");
    expect(result.stdout).not.toContain("s3cr3t");
  });

  it("masks a proxy password given with --env in --dry-run", async () => {
    const result = await runCli([
      "run",
      "fails",
      "-f",
      manifest,
      "--env",
      "HTTPS_PROXY=http://proxy-user:it'sPr0xyPass@127.0.0.1:3128",
      "--secret",
      secret,
      "--dry-run",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("Pr0xyPass");
  });

  it("masks the secret in the output, the summary's reason and the JSON report", async () => {
    for (const extra of [[], ["-o", "json"], ["--pretty"]]) {
      const result = await runCli(["run", "fails", "-f", manifest, "--secret", secret, ...extra]);
      expect(result.code).toBe(1);
      expect(`${result.stdout}${result.stderr}`).not.toContain("s3cr3t");
    }
  });
});

describe("forms the outside review found", () => {
  it("masks a secret with ', \" and \\ as console.log and Deno.inspect print it, and encodeURI", async () => {
    const task = tmp.file(
      "inspect.ts",
      [
        'const s = JSON.parse(Deno.env.get("SECURE_DATA") ?? "{}");',
        "console.log(s);",
        'console.log("pw:", Deno.inspect(s.password), [s.password]);',
        "console.log(encodeURI(s.password));",
        "",
      ].join("\n"),
    );
    const secureData = JSON.stringify({ password: "P@ss'w0rd\"\\1<&>/é" });
    for (const isolation of ["auto", "process"] as const) {
      const result = await runRunner(
        "deno",
        { SCRIPT: task, SECURE_DATA: secureData },
        { isolation },
      );
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain("w0rd");
    }
  });

  it("refuses a --secret with a NUL byte in one line that does not quote it (78)", async () => {
    const file = tmp.file("nul-secret.bin", 'it\'s "Sup3rS3cretT0ken"\u0000');
    const result = await runCli(["run", "fails", "-f", FAILS, "--secret", `@${file}`]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("NUL byte");
    expect(result.stderr).not.toContain("Sup3rS3cret");
  });
});

describe("a JSON.parse error on a plain token", () => {
  it("shows no part of the token when a Deno task lets it go uncaught", async () => {
    const task = tmp.file("parse.ts", 'JSON.parse(Deno.env.get("SECURE_DATA") ?? "");\n');
    const result = await runRunner("deno", {
      SCRIPT: task,
      SECURE_DATA: "ghp_R4nd0mT0k3nV4lu3xyz",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not valid JSON");
    expect(result.stderr).not.toContain("ghp_R4nd0m");
  });
});

describe("the termination log a task writes", () => {
  it("is cut and masked even past 512 MiB, reading no more than Kubernetes keeps", async () => {
    const log = tmp.file("huge-termination-log", "");
    const task = tmp.file(
      "huge.py",
      [
        "import os, sys",
        "path = os.environ['KEPTN_TASK_TERMINATION_LOG']",
        "with open(path, 'w') as log:",
        "    log.write('failed: ' + os.environ['SECURE_DATA'])",
        "os.truncate(path, 600 * 1024 * 1024)  # sparse: 600 MiB on disk cost nothing",
        "sys.exit(3)",
        "",
      ].join("\n"),
    );
    const result = await runRunner("python", {
      SCRIPT: task,
      SECURE_DATA: "hunter2-huge-s3cr3t",
      KEPTN_TASK_TERMINATION_LOG: log,
      KEPTN_TASK_PYTHON: PYTHON,
    });
    expect(result.code).toBe(3);
    expect(statSync(log).size).toBeLessThanOrEqual(4096);
    const text = readFileSync(log, "utf8");
    expect(text.startsWith("failed: ***")).toBe(true);
    expect(text).not.toContain("hunter2");
  });
});
