// The python-runtime's entry (runners/src/runner/python_entry.py) runs a plain Python task itself
// and hands everything else to the bootstrap runner. Held here to three rules: what it runs
// itself ends exactly as the runner would end it (exit code, output, log lines, termination log);
// what is not plain reaches the runner untouched; and it never calls plain what the runner would
// refuse or warn about (property-tested against the contract's own checks).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server as TcpServer,
} from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPlainContext, readContextJson, readDataMap } from "../../sdk/src/contract/index.js";
import { ROOT } from "../helpers/deno.js";
import { type FileServer, startFileServer } from "../helpers/file-server.js";
import { PYTHON } from "../helpers/python.js";
import { runProcess } from "../helpers/run-process.js";
import { KEPTN_CONTEXT, PYTHON_ENTRY, runRunner, scratch } from "../helpers/runner.js";

const tmp = scratch("keptn-python-entry-");
let server: FileServer;
/** Answers the ways a file server may: in chunks, with a redirect, compressed. */
let odd: Server;
let oddOrigin: string;
/** Writes raw responses no HTTP library would, and counts connections. */
let raw: TcpServer;
let rawOrigin: string;
let rawConnections = 0;
const RAW_RESPONSES: Record<string, string> = {
  // No Content-Length, no chunks: only the connection's end ends it, as a cut one would.
  "/close-delimited.py": "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nprint('cut?')\n",
  "/odd-length.py": "HTTP/1.1 200 OK\r\nContent-Length: \u00b2\r\n\r\nprint(1)\n",
  "/spaced-name.py": "HTTP/1.1 200 OK\r\nContent-Length : 9\r\n\r\nprint(1)\n",
  "/framed.py": "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\nprint('framed')\n",
};
const SIGTERM_TASK = `${ROOT}test/fixtures/runners/sigterm.py`;

beforeAll(async () => {
  server = await startFileServer({
    "/tasks/remote.py":
      "import sys\nprint('remote', __file__.endswith('/function.py'), sys.argv[1:])\n",
    "/tasks/page": { body: "<!doctype html><p>hi</p>", type: "text/plain" },
    "/tasks/empty.py": " \n",
  });
  odd = createServer((req, res) => {
    if (req.url === "/chunked.py") {
      res.writeHead(200, { "content-type": "text/x-python" });
      res.write("print('in')\n");
      setTimeout(() => res.end("print('chunks')\n"), 20);
    } else if (req.url === "/moved.py") {
      res.writeHead(302, { location: "/chunked.py" }).end();
    } else {
      res.writeHead(200, { "content-encoding": "gzip" }).end("not gzip");
    }
  });
  await new Promise<void>((resolve) => odd.listen(0, "127.0.0.1", resolve));
  oddOrigin = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  raw = createTcpServer((socket) => {
    rawConnections += 1;
    socket.on("error", () => undefined);
    socket.once("data", (request) => {
      const path = request.toString("latin1").split(" ")[1] ?? "";
      // The framed answer keeps the connection open, as a server ignoring Connection: close.
      socket.write(Buffer.from(RAW_RESPONSES[path] ?? "HTTP/1.1 404 Not Found\r\n\r\n", "latin1"));
      if (path !== "/framed.py") socket.end();
    });
  });
  await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
  rawOrigin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => raw.close(resolve));
  odd.closeAllConnections();
  await new Promise((resolve) => odd.close(resolve));
  await server.close();
  tmp.cleanup();
});

/** Runs the entry with a runner command that only says it was handed the run. */
function entryAlone(env: Record<string, string | undefined>) {
  return runProcess(PYTHON, ["-I", "-S", PYTHON_ENTRY, "/bin/echo", "handed-over"], {
    env: { KEPTN_CONTEXT, CMD_ARGS: "", KEPTN_TASK_PYTHON: PYTHON, ...env },
  });
}

describe("the Python entry runs a plain task itself", () => {
  const hello = tmp.file("hello.py", "import sys\nprint('hello', sys.argv[1:])\n");
  const cases: Record<string, Record<string, string>> = {
    "a mounted file": { SCRIPT: hello },
    "a ConfigMap folder with the key code": { SCRIPT: join(tmp.dir, "cm") },
    SECURE_DATA: { SCRIPT: hello, SECURE_DATA: "a-secret-value" },
    "the task's own arguments after --": { SCRIPT: hello, CMD_ARGS: "-- --dry-run x" },
    "a grace period and a termination log path": {
      SCRIPT: hello,
      KEPTN_TASK_GRACE_SECONDS: "5",
      KEPTN_TASK_TERMINATION_LOG: join(tmp.dir, "none"),
    },
    "no KEPTN_CONTEXT, DATA as Keptn writes it": {
      SCRIPT: hello,
      KEPTN_CONTEXT: "",
      DATA: '{"a":"1","b":""}',
    },
  };
  tmp.file("cm/code", "import sys\nprint('hello', sys.argv[1:])\n");

  it.each(Object.entries(cases))("%s, with no runner to hand over to", async (_name, env) => {
    const result = await entryAlone(env);
    expect(result.stdout).toMatch(/^hello \[.*\]\n$/);
    expect(result.code).toBe(0);
  });

  it("fetches a plain httpRef URL answered with 200", async () => {
    const result = await entryAlone({
      SCRIPT: `${server.origin}/tasks/remote.py`,
      CMD_ARGS: "-- a",
    });
    expect(result.stdout).toBe("remote True ['a']\n");
    expect(result.code).toBe(0);
  });

  it("reads a body framed by Content-Length from a server that keeps the connection open", async () => {
    const result = await entryAlone({ SCRIPT: `${rawOrigin}/framed.py` });
    expect(result.stdout).toBe("framed\n");
    expect(result.code).toBe(0);
  });

  it.each([
    ["/close-delimited.py", "a body only the connection's end ends (a cut one would pass)"],
    ["/odd-length.py", "a Content-Length that is not ASCII digits"],
    ["/spaced-name.py", "a header name with a space before its colon"],
  ])("hands %s to the runner: %s", async (path) => {
    const result = await entryAlone({ SCRIPT: `${rawOrigin}${path}` });
    expect(result.stdout).toBe("handed-over\n");
    expect(result.stderr).toBe("");
  });

  it("hands https to the runner when a trust variable is set, before connecting", async () => {
    const https = `https://127.0.0.1:${rawOrigin.split(":")[2]}/framed.py`;
    const before = rawConnections;
    const result = await entryAlone({ SCRIPT: https, SSL_CERT_FILE: "/nonexistent.pem" });
    expect(result.stdout).toBe("handed-over\n");
    expect(rawConnections).toBe(before);
    // Without it, the entry tries (the plain server fails the handshake, so it hands over).
    await entryAlone({ SCRIPT: https });
    expect(rawConnections).toBe(before + 1);
  });

  it.each([
    ["a host name label of 64 characters", { SCRIPT: `http://${"a".repeat(64)}.example.com/x.py` }],
    ["a TMPDIR that is not there", { SCRIPT: "FRAMED", TMPDIR: "/nonexistent/tmp" }],
    [
      "a grace period with more digits than a double holds",
      { KEPTN_TASK_GRACE_SECONDS: `1${"0".repeat(400)}` },
    ],
  ])("hands %s to the runner, with no traceback", async (_name, env: Record<string, string>) => {
    const script = env.SCRIPT === "FRAMED" ? `${rawOrigin}/framed.py` : env.SCRIPT;
    const result = await entryAlone({
      SCRIPT: tmp.file("grace.py", "print(1)\n"),
      ...env,
      ...(script ? { SCRIPT: script } : {}),
    });
    expect(result.stdout).toBe("handed-over\n");
    expect(result.stderr).toBe("");
  });

  it("reads a body sent in chunks", async () => {
    const result = await entryAlone({ SCRIPT: `${oddOrigin}/chunked.py` });
    expect(result.stdout).toBe("in\nchunks\n");
    expect(result.code).toBe(0);
  });

  it.each(["moved.py", "gzipped.py"])(
    "hands %s (a redirect, an encoded body) to the runner",
    async (name) => {
      const result = await entryAlone({ SCRIPT: `${oddOrigin}/${name}` });
      expect(result.stdout).toBe("handed-over\n");
    },
  );
});

describe("the Python entry hands the rest to the runner untouched", () => {
  const hello = tmp.file("handed.py", "print('ran here')\n");
  const cases: Record<string, Record<string, string>> = {
    "an empty SCRIPT": { SCRIPT: "" },
    "a SCRIPT with white space around it": { SCRIPT: ` ${hello}` },
    "a file that is not there": { SCRIPT: join(tmp.dir, "missing.py") },
    "an empty file": { SCRIPT: tmp.file("blank.py", "  \n") },
    "a folder without the key code": { SCRIPT: tmp.dir },
    "another URL scheme": { SCRIPT: "ftp://example.com/task.py" },
    "interpreter options in CMD_ARGS": { SCRIPT: hello, CMD_ARGS: "-i" },
    "quotes in CMD_ARGS": { SCRIPT: hello, CMD_ARGS: "-- 'a b'" },
    "KEPTN_CONTEXT that is not JSON": { SCRIPT: hello, KEPTN_CONTEXT: "{" },
    "KEPTN_CONTEXT with an unusual taskType": {
      SCRIPT: hello,
      KEPTN_CONTEXT: '{"taskType":"later","objectType":"App"}',
    },
    "KEPTN_CONTEXT with NaN": { SCRIPT: hello, KEPTN_CONTEXT: '{"appName":NaN}' },
    "KEPTN_CONTEXT with a key twice": {
      SCRIPT: hello,
      KEPTN_CONTEXT: '{"appName":"a","appName":"b"}',
    },
    "nested DATA": { SCRIPT: hello, DATA: '{"a":{"b":"c"}}' },
    "DATA with a number": { SCRIPT: hello, DATA: '{"a":1}' },
    "a runner log level": { SCRIPT: hello, KEPTN_TASK_RUNNER_LOG_LEVEL: "debug" },
    "Deno permissions": { SCRIPT: hello, KEPTN_TASK_DENO_PERMISSIONS: "--allow-all" },
    "a grace period that is not a number": { SCRIPT: hello, KEPTN_TASK_GRACE_SECONDS: "soon" },
    "an OpenTelemetry endpoint": { SCRIPT: hello, OTEL_EXPORTER_OTLP_ENDPOINT: "http://x" },
    "a proxy": { SCRIPT: hello, HTTPS_PROXY: "http://proxy:3128" },
    PYTHONINSPECT: { SCRIPT: hello, PYTHONINSPECT: "1" },
    "an empty KEPTN_TASK_PYTHON": { SCRIPT: hello, KEPTN_TASK_PYTHON: "" },
    "a URL with user info": { SCRIPT: "http://user:pw@HOST/tasks/remote.py" },
    "a URL with a query": { SCRIPT: `http://HOST/tasks/remote.py?token=abc` },
    "a URL with a pin": { SCRIPT: `http://HOST/tasks/remote.py#sha256=${"0".repeat(64)}` },
    "a URL with a dot segment": { SCRIPT: `http://HOST/tasks/../tasks/remote.py` },
    "a URL with an upper-case host": { SCRIPT: "http://LOCALHOST:1/x.py" },
    "a URL answered with 404": { SCRIPT: `http://HOST/tasks/missing.py` },
    "a URL answered with an HTML page": { SCRIPT: `http://HOST/tasks/page` },
    "a URL answered with only white space": { SCRIPT: `http://HOST/tasks/empty.py` },
    "a URL that refuses connections": { SCRIPT: "http://127.0.0.1:1/task.py" },
  };

  it.each(Object.entries(cases))("%s", async (_name, env) => {
    // HOST: the loopback server's, known once it listens.
    const host = server.origin.slice("http://".length);
    const result = await entryAlone({ ...env, SCRIPT: env.SCRIPT?.replace("HOST", host) });
    expect(result.stdout).toBe("handed-over\n");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("hands over when the task's interpreter cannot be started, before anything ran", async () => {
    const result = await entryAlone({ SCRIPT: hello, KEPTN_TASK_PYTHON: "/nonexistent/python3" });
    expect(result.stdout).toBe("handed-over\n");
  });

  it("hands over SECURE_DATA that is not UTF-8 (the runner masks its byte forms)", async () => {
    const result = await runProcess(
      "bash",
      [
        "-c",
        `export SECURE_DATA=$'\\xff\\xfesecret'; exec "$@"`,
        "bash",
        PYTHON,
        "-I",
        "-S",
        PYTHON_ENTRY,
        "/bin/echo",
        "handed-over",
      ],
      { env: { KEPTN_CONTEXT, SCRIPT: hello, KEPTN_TASK_PYTHON: PYTHON } },
    );
    expect(result.stdout).toBe("handed-over\n");
  });

  it("says in one line that the runner cannot be started (127), in the termination log too", async () => {
    const log = tmp.file("runner-missing.log", "");
    const result = await runProcess(PYTHON, ["-I", "-S", PYTHON_ENTRY, "/nonexistent/deno"], {
      env: { KEPTN_CONTEXT: "{", SCRIPT: hello, KEPTN_TASK_TERMINATION_LOG: log },
    });
    const line = JSON.parse(result.stderr) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "error", code: "RUNTIME_MISSING", exitCode: 127 });
    expect(line.msg).toBe('Cannot start the runner "/nonexistent/deno": No such file or directory');
    expect(readFileSync(log, "utf8")).toBe(line.msg);
    expect(result.code).toBe(127);
  });
});

/** stderr with the parts that differ between two runs (time, duration) replaced. */
const steady = (stderr: string) =>
  stderr.replace(/"time":"[^"]+"/g, '"time":"T"').replace(/"durationMs":\d+/g, '"durationMs":0');

describe("a plain task ends through the entry exactly as through the runner", () => {
  const cases: Record<string, { code: string; env?: Record<string, string> }> = {
    "a success": { code: "import os\nprint('ok', os.environ['DATA'])\n" },
    "an exit code, after output without a newline": {
      code: "import sys\nsys.stderr.write('oops')\nsys.exit(3)\n",
    },
    "an exit code that would read as 0": { code: "import sys\nsys.exit(256)\n" },
    "an uncaught exception": { code: "raise ValueError('bad input')\n" },
    "death by a signal": { code: "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n" },
    "a reason the task wrote itself": {
      code: "import os, sys\nopen(os.environ['KEPTN_TASK_TERMINATION_LOG'], 'w').write('own reason')\nsys.exit(4)\n",
    },
    "SECURE_DATA whose lines hold a JSON literal (once hung the runner's masker)": {
      code: "import os\nprint(os.environ['SECURE_DATA'].split('=')[1], 'is set')\n",
      env: { SECURE_DATA: "DEBUG=false\nenabled: true" },
    },
    "SECURE_DATA printed on both streams, cut in two": {
      code: "import os, sys\ns = os.environ['SECURE_DATA']\nsys.stdout.write(s[:5]); sys.stdout.flush(); print(s[5:])\nsys.stderr.write('x' + s)\nsys.exit(2)\n",
      env: { SECURE_DATA: "the-secret-token" },
    },
  };

  it.each(Object.entries(cases))("%s", async (name, { code, env = {} }) => {
    const script = tmp.file(`parity/${name.replace(/\W+/g, "-")}.py`, code);
    const run = async (entry: boolean) => {
      const log = tmp.file(`parity/${name.replace(/\W+/g, "-")}-${entry}.log`, "");
      const result = await runRunner(
        "python",
        { SCRIPT: script, DATA: '{"a":"b"}', KEPTN_TASK_TERMINATION_LOG: log, ...env },
        { entry },
      );
      return { ...result, stderr: steady(result.stderr), log: readFileSync(log, "utf8") };
    };
    const [through, direct] = [await run(true), await run(false)];
    expect(through).toEqual(direct);
  });

  it("a forwarded SIGTERM", async () => {
    const run = async (entry: boolean) => {
      const result = await runRunner(
        "python",
        { SCRIPT: SIGTERM_TASK },
        {
          entry,
          onStdout: (chunk, child) => {
            if (chunk.includes("ready")) child.kill("SIGTERM");
          },
        },
      );
      return { ...result, stderr: steady(result.stderr) };
    };
    const [through, direct] = [await run(true), await run(false)];
    expect(through).toEqual(direct);
    expect(through.stderr).toContain("Received SIGTERM: forwarded to the task");
  });
});

describe("a bug of the entry's own after the task started", () => {
  it("kills the task and ends with 70 (internal error), saying only the error's name", async () => {
    const task = tmp.file("long.py", "import time\nprint('started', flush=True)\ntime.sleep(30)\n");
    const log = tmp.file("bug.log", "");
    const code = [
      "import os, sys",
      `sys.path.insert(0, ${JSON.stringify(`${ROOT}runners/dist`)})`,
      "import python_entry_supervise as entry",
      "from python_entry_checks import plain_run",
      "plan = plain_run(os.environ, os.environb, sys.path[0])",
      "def broken(self, readers):",
      "    raise KeyError(os.environ['SECURE_DATA'])",
      "entry.Supervisor._copy_masked = broken",
      "print('exit', entry.run(plan), flush=True)",
    ].join("\n");
    const result = await runProcess(PYTHON, ["-I", "-S", "-c", code], {
      env: {
        KEPTN_CONTEXT,
        SCRIPT: task,
        SECURE_DATA: "bug-secret-value",
        KEPTN_TASK_PYTHON: PYTHON,
        KEPTN_TASK_TERMINATION_LOG: log,
      },
      timeoutMs: 20_000,
    });
    expect(result.stdout).toBe("exit 70\n");
    expect(readFileSync(log, "utf8")).toBe("Runner failed: unhandled KeyError");
    expect(result.stderr).toContain('"code":"INTERNAL","exitCode":70');
    expect(result.stderr).not.toContain("bug-secret-value");
  });
});

describe("a task that exits after a forwarded signal while its output drains", () => {
  // It leaves a process holding its stdout, so the output drains for DRAIN_MS after it exited,
  // longer than the grace period: the grace timer must not call it killed.
  const code = [
    "import os, signal, subprocess, sys, time",
    "subprocess.Popen(['sleep', '4'])",
    "signal.signal(signal.SIGTERM, lambda *_: (time.sleep(0.3), sys.exit(3)))",
    "os.write(1, b'ready\\n')",
    "time.sleep(30)",
  ].join("\n");

  it.each([true, false])("ends with its exit code, not killed (entry: %s)", async (entry) => {
    const script = tmp.file(`drain-${entry}.py`, `${code}\n`);
    const log = tmp.file(`drain-${entry}.log`, "");
    const result = await runRunner(
      "python",
      {
        SCRIPT: script,
        SECURE_DATA: "drain-secret",
        KEPTN_TASK_GRACE_SECONDS: "1",
        KEPTN_TASK_TERMINATION_LOG: log,
      },
      {
        entry,
        onStdout: (chunk, child) => {
          if (chunk.includes("ready")) child.kill("SIGTERM");
        },
      },
    );
    expect(result.stderr).not.toContain("killed");
    expect(readFileSync(log, "utf8")).toBe("Task stopped by SIGTERM with exit code 3");
    expect(result.code).toBe(3);
  });
});

describe("the Python entry never calls plain what the runner would refuse or warn about", () => {
  const checks = `${ROOT}runners/dist`;
  /** The entry's verdicts for many values, from one Python process. */
  const verdicts = (kind: "context" | "data", values: readonly string[]): boolean[] => {
    const code = [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(checks)})`,
      "from python_entry_checks import _plain_context, _plain_data",
      `check = ${kind === "context" ? "_plain_context" : "_plain_data"}`,
      "print(json.dumps([check(v) for v in json.load(sys.stdin)]))",
    ].join("\n");
    const path = tmp.file(`verdicts-${kind}.json`, JSON.stringify(values));
    const out = execFileSync(PYTHON, ["-I", "-S", "-c", code], {
      input: readFileSync(path),
      encoding: "utf8",
    });
    return JSON.parse(out) as boolean[];
  };

  const field = fc.oneof(
    fc.string(),
    fc.constantFrom("pre", "post", "promotion", "", "App", "Workload", "Application"),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
  );
  // Mostly what the operator writes, each field sometimes something else.
  const often = <T>(usual: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: usual, weight: 5 }, { arbitrary: field, weight: 1 });
  const contextLike = fc
    .record(
      {
        workloadName: often(fc.string()),
        appName: often(fc.string()),
        appVersion: often(fc.string()),
        workloadVersion: often(fc.string()),
        taskType: often(fc.constantFrom("pre", "post", "promotion", "")),
        objectType: often(fc.constantFrom("App", "Workload", "")),
        metadata: often(fc.dictionary(fc.string(), fc.string())),
        traceparent: often(fc.string()),
        extra: field,
      },
      { requiredKeys: ["taskType", "objectType"] },
    )
    .map((value) => JSON.stringify(value));
  const oddText = fc.oneof(
    fc.json(),
    fc.constantFrom(
      "NaN",
      '{"a":NaN}',
      '{"a":Infinity}',
      '{"a":"1","a":"2"}',
      '{"__proto__":"x"}',
      '{"a":"\\ud800"}',
      "[]",
      "null",
      " ",
      '{"a":"1"} x',
      '{"a":1e999}',
    ),
  );

  it("for KEPTN_CONTEXT", () => {
    const values = fc.sample(fc.oneof(contextLike, oddText), 600);
    const plain = verdicts("context", values);
    const wrong = values.filter((raw, index) => {
      if (!plain[index]) return false;
      const read = readContextJson(raw);
      return read.issue !== undefined || (read.value !== undefined && !isPlainContext(read.value));
    });
    expect(wrong).toEqual([]);
    // And it is not a check that calls nothing plain.
    expect(plain.filter(Boolean).length).toBeGreaterThan(20);
  });

  it("for DATA", () => {
    const flat = fc
      .dictionary(fc.string(), fc.oneof(fc.string(), field))
      .map((v) => JSON.stringify(v));
    const values = fc.sample(fc.oneof(flat, oddText), 600);
    const plain = verdicts("data", values);
    const wrong = values.filter((raw, index) => plain[index] && readDataMap(raw).issues.length > 0);
    expect(wrong).toEqual([]);
    expect(plain.filter(Boolean).length).toBeGreaterThan(20);
  });
});
