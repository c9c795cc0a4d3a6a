// The task code the bench runs, written to files to mount, and the loopback server httpRef URLs
// point at.
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TASKS = {
  deno: {
    extension: "ts",
    mountPath: "/var/data/function.ts",
    hello: 'console.log("hello");\n',
    secret: 'console.log("token: " + Deno.env.get("SECURE_DATA"));\n',
    signal: `Deno.addSignalListener("SIGTERM", () => {
  console.log("handler ran");
  Deno.exit(143);
});
console.log("ready");
setInterval(() => {}, 1000);
`,
  },
  python: {
    extension: "py",
    mountPath: "/var/data/function.py",
    hello: 'print("hello")\n',
    secret: "import os\nprint(f\"token: {os.environ['SECURE_DATA']}\")\n",
    signal: `import signal, sys, time

def on_sigterm(signum, frame):
    print("handler ran", flush=True)
    sys.exit(143)

signal.signal(signal.SIGTERM, on_sigterm)
print("ready", flush=True)
while True:
    time.sleep(0.1)
`,
  },
};
export const SECRET = "bench-secret-4f9a2c";
export const KEPTN_CONTEXT = JSON.stringify({
  workloadName: "podtato-head-entry",
  appName: "podtato-head",
  appVersion: "",
  workloadVersion: "0.3.1",
  taskType: "pre",
  objectType: "Workload",
});

/** The tasks as files (`files["deno/hello"]`), in a directory removed by `remove()`. */
export function writeTaskFiles() {
  const dir = mkdtempSync(join(tmpdir(), "keptn-bench-images-"));
  const files = {};
  for (const [runtime, task] of Object.entries(TASKS)) {
    for (const name of ["hello", "secret", "signal"]) {
      files[`${runtime}/${name}`] = join(dir, `${runtime}-${name}.${task.extension}`);
      writeFileSync(files[`${runtime}/${name}`], task[name]);
    }
  }
  return { files, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Serves `/<runtime>/hello.<ext>` (any other path: a 404 HTML page) on 127.0.0.1; `closedPort` is
 * a port nothing listens on, so connections to it are refused at once.
 */
export async function startTaskServer() {
  const server = createServer((req, res) => {
    const match = /^\/(deno|python)\/hello\.(ts|py)$/.exec(
      new URL(req.url ?? "/", "http://x").pathname,
    );
    if (match) {
      res.writeHead(200, {
        "content-type": match[2] === "ts" ? "application/typescript" : "text/x-python",
      });
      res.end(TASKS[match[1]].hello);
      return;
    }
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<!doctype html><html><body><h1>404 Not Found</h1></body></html>\n");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const origin = `http://127.0.0.1:${server.address().port}`;
  const closedPort = await new Promise((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
  /** The URL of a task on the server; the extension is the runtime's. */
  const urlOf = (runtime, path) => `${origin}/${runtime}/${path}.${TASKS[runtime].extension}`;
  return { origin, closedPort, urlOf, close: () => server.close() };
}
